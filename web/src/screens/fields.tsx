import type { ReactNode } from 'react';
import { useApi } from '../hooks.ts';
import { issuesOf } from '../ui.tsx';
import type { Me } from '../App.tsx';

export interface TeamMember { id: string; name: string; role: string; disabled?: boolean }

/** The API's message for a field (or any of its parts, e.g. phones.0.number for phones.0), if it named one. */
export function issueFor(error: unknown, field: string): string | undefined {
  return issuesOf(error).find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;
}

/** A labelled control with the API's validation message under it, tied by aria-describedby. */
export function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: (aria: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {}) })}
      {error && <p className="error hint" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>}
    </div>
  );
}

/** Who is logged in and the business's time zone. */
export const useMe = () => useApi<Me>('/me');

/** The team, for owner, assignee and technician pickers (every role may read it). */
export function useTeam() {
  const team = useApi<{ data: TeamMember[] }>('/users');
  const people = (team.data?.data ?? []).filter((u) => !u.disabled);
  const nameOf = (id: string | null | undefined) => (id ? (team.data?.data.find((u) => u.id === id)?.name ?? '…') : 'unassigned');
  return { team, people, nameOf };
}
