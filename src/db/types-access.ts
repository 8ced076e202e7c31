/**
 * Tables of access control (migration 0016), merged into the Database
 * interface of types.ts: API key roles, password reset links, login throttles.
 */
declare module './types.ts' {
  interface ApiKeyTable {
    /** The role the key acts with: the creator's role when a person made it, owner from the CLI. */
    role: string;
  }

  interface PasswordResetTable {
    id: string;
    token_hash: string;
    user_id: string;
    business_id: string;
    created_by: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  }

  interface LoginThrottleTable {
    /** "account:<email>" or "ip:<address>". */
    key: string;
    failures: number;
    first_failure_at: string;
    last_failure_at: string;
    locked_until: string | null;
  }

  interface Database {
    password_resets: PasswordResetTable;
    login_throttles: LoginThrottleTable;
  }
}

export {};
