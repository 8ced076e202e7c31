import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { contactCompanies, linkContactToCompany, unlinkContactFromCompany } from '../../crm/companies/companies.ts';
import { recordConsent, listConsentHistory } from '../../crm/contacts/consent.ts';
import { createContact, deleteContact, getContact, listContacts, updateContact } from '../../crm/contacts/contacts.ts';
import { findDuplicates, mergeContacts } from '../../crm/contacts/merge-contacts.ts';
import { consentInputSchema, contactFilterSchema, contactInputSchema, contactPatchSchema } from '../../crm/contacts/schema.ts';
import { contactTimeline } from '../../crm/contacts/timeline.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const tags = ['Contacts'];
const id = (req: { params: unknown }) => (req.params as { id: string }).id;

export function registerContactRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/contacts', { schema: { tags, summary: 'List and search contacts', querystring: contactFilterSchema } }, (req) => listContacts(ctx, scopeOf(req), req.query));
  app.post('/contacts', { schema: { tags, summary: 'Create a contact (a new lead emits lead.created)', body: contactInputSchema } }, async (req, reply) =>
    reply.code(201).send(await createContact(ctx, scopeOf(req), req.body)),
  );
  app.get('/contacts/duplicates', { schema: { tags, summary: 'Groups of contacts sharing a phone or email' } }, async (req) => ({ data: await findDuplicates(ctx, scopeOf(req)) }));
  app.post(
    '/contacts/merge',
    { schema: { tags, summary: 'Merge duplicate contacts into a survivor', body: z.object({ survivorId: z.string(), mergeIds: z.array(z.string()) }) } },
    (req) => mergeContacts(ctx, scopeOf(req), req.body),
  );
  app.get('/contacts/:id', { schema: { tags, summary: 'Get a contact', params: idParams } }, (req) => getContact(ctx, scopeOf(req), id(req)));
  app.patch('/contacts/:id', { schema: { tags, summary: 'Update a contact', params: idParams, body: contactPatchSchema } }, (req) => updateContact(ctx, scopeOf(req), id(req), req.body));
  app.delete('/contacts/:id', { schema: { tags, summary: 'Delete a contact and its interactions', params: idParams } }, async (req, reply) => {
    await deleteContact(ctx, scopeOf(req), id(req));
    return reply.code(204).send();
  });
  app.get(
    '/contacts/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Everything that happened with a contact, newest first',
        params: idParams,
        querystring: z.object({ limit: z.string().optional(), before: z.string().optional(), types: z.string().optional() }),
      },
    },
    (req) => contactTimeline(ctx, scopeOf(req), id(req), req.query),
  );
  app.get('/contacts/:id/consent', { schema: { tags, summary: 'Consent history (newest first)', params: idParams } }, async (req) => ({ data: await listConsentHistory(ctx, scopeOf(req), id(req)) }));
  app.post('/contacts/:id/consent', { schema: { tags, summary: 'Record consent granted or revoked for a channel', params: idParams, body: consentInputSchema } }, async (req, reply) =>
    reply.code(201).send({ data: await recordConsent(ctx, scopeOf(req), id(req), req.body) }),
  );
  app.get('/contacts/:id/companies', { schema: { tags, summary: "The contact's companies", params: idParams } }, async (req) => ({ data: await contactCompanies(ctx, scopeOf(req), id(req)) }));
  const linkParams = z.object({ id: z.string().min(1).max(64), companyId: z.string().min(1).max(64) });
  app.put('/contacts/:id/companies/:companyId', { schema: { tags, summary: 'Link a contact to a company', params: linkParams } }, (req) => {
    const p = req.params as { id: string; companyId: string };
    return linkContactToCompany(ctx, scopeOf(req), p.id, p.companyId, req.body ?? {});
  });
  app.delete('/contacts/:id/companies/:companyId', { schema: { tags, summary: 'Unlink a contact from a company', params: linkParams } }, async (req, reply) => {
    const p = req.params as { id: string; companyId: string };
    await unlinkContactFromCompany(ctx, scopeOf(req), p.id, p.companyId);
    return reply.code(204).send();
  });
}
