import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import { buildServer } from '../../src/api/server.ts';
import type { AppContext, Scope } from '../../src/context.ts';
import { updateBusiness } from '../../src/crm/businesses/businesses.ts';
import { registerNumbers } from '../../src/crm/businesses/numbers.ts';
import { makeBusiness, testConfig } from '../helpers/db.ts';
import { AUTH_TOKEN, PUBLIC_URL } from './twilio-caller.ts';

/** A context whose config knows the Twilio auth token and our public URL (what signatures cover). */
export function voiceContext(base: AppContext): AppContext {
  return {
    ...base,
    config: testConfig({
      publicUrl: PUBLIC_URL,
      twilio: { accountSid: `AC${'ab'.repeat(16)}`, authToken: AUTH_TOKEN, fromNumber: '+15125550000', messagingServiceSid: null, apiBaseUrl: null },
    }),
  };
}

export async function voiceApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = await buildServer(ctx);
  await app.ready();
  return app;
}

export interface VoiceBusiness {
  scope: Scope;
  number: string;
  owner: { id: string; phone: string };
  office: { id: string; phone: string };
  tech1: { id: string; phone: string; name: string };
  tech2: { id: string; phone: string; name: string };
}

let n = 0;
/**
 * An HVAC business (Chicago time, open Mon–Fri 8–17) with its own number, an
 * owner and an office agent who take calls, and two technicians on call.
 */
export async function voiceBusiness(ctx: AppContext, voice: Record<string, unknown> = {}): Promise<VoiceBusiness> {
  n++;
  const base = 2000 + n * 10;
  const phone = (k: number) => `+1512555${String(base + k).padStart(4, '0')}`;
  const scope = await makeBusiness(ctx, { name: `Northwind Heating ${n}`, phone: phone(0), timeZone: 'America/Chicago', settings: { defaultCountry: 'US', currency: 'USD', voice } });
  const mk = async (role: 'owner' | 'agent' | 'technician', name: string, k: number) => {
    const u = await createUser(ctx, scope, { email: `${role}${k}-${scope.businessId.slice(-10)}@northwind.example`, name, role, password: 'correct horse battery', phone: phone(k) });
    return { id: u.id, phone: phone(k), name };
  };
  const owner = await mk('owner', 'Olivia Owner', 1);
  const office = await mk('agent', 'Omar Office', 2);
  const tech1 = await mk('technician', 'Tomas Reyes', 3);
  const tech2 = await mk('technician', 'Tina Brooks', 4);
  await updateBusiness(ctx, scope, { onCall: { rotation: [tech1.id, tech2.id], anchor: '2026-01-05T00:00:00Z', shiftHours: 24 * 28, escalationMinutes: 5, overrides: [] } });
  // Its number is on the Twilio account (as the worker's verification pass finds): it texts from it.
  await ctx.db.transaction((trx) => registerNumbers(trx, scope.businessId, [{ number: phone(0), source: 'profile', verified: true, providerSid: `PN${'0'.repeat(30)}${String(n % 100).padStart(2, '0')}` }], ctx.clock.now().toISOString()));
  return { scope, number: phone(0), owner, office, tech1, tech2 };
}

/** Monday 2 March 2026 09:00 in Chicago (open); Tuesday 02:00 and 21:00 (closed). */
export const OPEN_MONDAY_9AM = '2026-03-02T15:00:00Z';
export const TUESDAY_2AM = '2026-03-03T08:00:00Z';
export const TUESDAY_9PM = '2026-03-04T03:00:00Z';
