/**
 * What the logged-in person may do, from GET /me (the server's permission
 * table, src/access/permissions.ts). The dashboard shows only what will work;
 * the API enforces it either way.
 */
let granted: Record<string, 'all' | 'own'> = {};

export function setPermissions(p: Record<string, 'all' | 'own'> | undefined): void {
  granted = p ?? {};
}

export const can = (action: string): boolean => granted[action] !== undefined;

/** Whether the grant covers every row (`all`) or only the person's own (`own`); null when not granted. */
export const grantFor = (action: string): 'all' | 'own' | null => granted[action] ?? null;
