import type { AppContext, Scope } from '../../src/context.ts';
import { createUser } from '../../src/access/users.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { makeBusiness } from '../helpers/db.ts';

let shops = 0;
/** A Chicago HVAC shop with two services, open Mon–Fri 08:00–17:00 (the default hours); each with its own number (a number belongs to one business). */
export async function makeShop(ctx: AppContext, name = 'Booked Air'): Promise<Scope> {
  shops++;
  return makeBusiness(ctx, {
    name,
    email: 'office@bookedair.example',
    phone: shops === 1 ? '+15125550100' : `+1512555${String(6000 + shops).padStart(4, '0')}`,
    services: [
      { key: 'ac_repair', name: 'AC Repair', durationMinutes: 120, avgTicketCents: 45000 },
      { key: 'tune_up', name: 'Tune-up', durationMinutes: 60, avgTicketCents: 12000 },
    ],
  });
}

let n = 0;
export async function makeTechnician(ctx: AppContext, scope: Scope, name = 'Mike Tech'): Promise<string> {
  n++;
  const user = await createUser(ctx, scope, { email: `tech${n}-${Math.random().toString(36).slice(2, 8)}@bookedair.example`, name, role: 'technician' });
  return user.id;
}

export async function makeCustomer(ctx: AppContext, scope: Scope, opts: { sms?: 'granted' | 'revoked'; email?: boolean } = {}): Promise<string> {
  n++;
  const phone = `+1512555${String(2000 + n).padStart(4, '0')}`;
  const consent = opts.sms ? [{ channel: 'sms', status: opts.sms, method: 'web_form' }] : [];
  const c = await createContact(ctx, scope, { firstName: 'Ana', lastName: `Customer${n}`, phone, ...(opts.email === false ? {} : { email: `ana${n}@customer.example` }), consent });
  return c.id;
}

/** Only one bookable slot: the technician works Tuesdays 08:00–10:00 and a 2 h service fits once. */
export const ONE_SLOT_WEEK = { mon: [], tue: [{ open: '08:00', close: '10:00' }], wed: [], thu: [], fri: [], sat: [], sun: [] };
export const THE_SLOT = '2026-03-03T14:00:00.000Z';
