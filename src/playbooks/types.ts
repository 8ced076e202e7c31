import type { z } from 'zod';

/**
 * A ready-made automation for a service business: a name, a plain-language
 * description, tunable parameters (zod, every one with a default) and a
 * function that turns the parameters into an ordinary automation document.
 * Once installed it is a plain automation the business can inspect and edit.
 */
export interface Playbook<P extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  params: P;
  build(params: z.output<P>): Record<string, unknown>;
  /** Installed enabled in the demo business (reacts only to new activity); campaigns over old data are left for the owner to start. */
  enabledInDemo: boolean;
}

export const definePlaybook = <P extends z.ZodType>(p: Playbook<P>): Playbook<P> => p;
