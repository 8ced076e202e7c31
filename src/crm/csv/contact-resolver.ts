import type { Insertable } from 'kysely';
import type { Scope } from '../../context.ts';
import type { Dialect, Executor } from '../../db/database.ts';
import type { ConsentTable, ContactIdentityTable, ContactTagTable, InteractionTable } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import type { Business } from '../businesses/schema.ts';
import { loadConsent } from '../contacts/consent.ts';
import { preparePatch } from '../contacts/prepare.ts';
import { parseJson } from '../shared/fields.ts';
import type { ConsentChannel } from '../contacts/schema.ts';
import { chunks, insertRows } from './bulk.ts';
import { mergeDraft, type ContactDraft } from './contact-draft.ts';
import { buildNewContact, mergePatch } from './contact-rows.ts';

interface Target {
  id: string;
  isNew: boolean;
  /** Everything this batch's rows say about the contact, merged in file order. */
  draft: ContactDraft;
}

export interface ResolverEnv {
  business: Business;
  scope: Scope;
  dialect: Dialect;
  importId: string;
  dryRun: boolean;
}

const identityKey = (kind: string, value: string): string => `${kind}:${value}`;

/** Identity keys of a draft, most telling first: primary phone, primary email, then the others. */
function keysOf(draft: ContactDraft): string[] {
  const keys: string[] = [];
  if (draft.phones[0]) keys.push(identityKey('phone', draft.phones[0]));
  if (draft.emails[0]) keys.push(identityKey('email', draft.emails[0]));
  for (const p of draft.phones.slice(1)) keys.push(identityKey('phone', p));
  for (const e of draft.emails.slice(1)) keys.push(identityKey('email', e));
  return keys;
}

/**
 * Finds the contact each row is about — by normalised phone or email, in the
 * business's stored identities and earlier in the same file — and writes the
 * batch's new contacts and merges. One identity query per batch; inserts in
 * bulk. Used by the contacts import and by jobs/interactions rows that name
 * their contact by phone or email.
 *
 * Within one run the `owners` map remembers which contact each identity
 * belongs to. After a committed batch the database knows too, so the map is
 * cleared; in a dry run nothing is written, so it is kept for the whole file
 * (memory grows with the distinct phones/emails of a dry run only).
 */
export class ContactResolver {
  private readonly owners = new Map<string, string>();
  private targets = new Map<string, Target>();
  contactsCreated = 0;

  constructor(private readonly env: ResolverEnv) {}

  /** Loads which stored contacts own the batch's phones/emails (one query per 5,000 identities). */
  async prefetch(trx: Executor, drafts: ContactDraft[]): Promise<void> {
    const wanted = new Set<string>();
    for (const d of drafts) for (const k of keysOf(d)) if (!this.owners.has(k)) wanted.add(k);
    if (wanted.size === 0) return;
    const values = [...new Set([...wanted].map((k) => k.slice(k.indexOf(':') + 1)))];
    for (const part of chunks(values)) {
      const rows = await trx
        .selectFrom('contact_identities')
        .select(['contact_id', 'kind', 'value'])
        .where('business_id', '=', this.env.scope.businessId)
        .where('kind', 'in', ['phone', 'email'])
        .where('value', 'in', part)
        .execute();
      for (const r of rows) {
        const key = identityKey(r.kind, r.value);
        if (!wanted.has(key)) continue;
        // Shared identities (a couple's landline) resolve to the oldest contact: ids are time-ordered.
        const owner = this.owners.get(key);
        if (owner === undefined || r.contact_id < owner) this.owners.set(key, r.contact_id);
      }
    }
  }

  /** The contact a draft belongs to: an existing one (merged) or a new one (created). The resolver takes ownership of the draft. */
  resolve(draft: ContactDraft): { contactId: string; created: boolean } {
    const keys = keysOf(draft);
    let ownerId: string | undefined;
    for (const key of keys) {
      ownerId = this.owners.get(key);
      if (ownerId !== undefined) break;
    }
    let target = ownerId === undefined ? undefined : this.targets.get(ownerId);
    let created = false;
    if (ownerId === undefined) {
      target = { id: newId(), isNew: true, draft };
      this.targets.set(target.id, target);
      this.contactsCreated++;
      created = true;
    } else if (!target) {
      target = { id: ownerId, isNew: false, draft };
      this.targets.set(ownerId, target);
    } else {
      mergeDraft(target.draft, draft);
    }
    for (const key of target.draft === draft ? keys : keysOf(target.draft)) if (!this.owners.has(key)) this.owners.set(key, target.id);
    return { contactId: target.id, created };
  }

  /** Writes the batch's new contacts and merges inside the caller's transaction (a dry run only forgets the batch). */
  async flush(trx: Executor, now: string): Promise<void> {
    const targets = [...this.targets.values()];
    this.targets = new Map();
    if (this.env.dryRun) return;
    await this.insertNew(trx, targets.filter((t) => t.isNew), now);
    await this.mergeExisting(trx, targets.filter((t) => !t.isNew), now);
    this.owners.clear(); // committed with this batch: the next prefetch finds them in the database
  }

  private async insertNew(trx: Executor, targets: Target[], now: string): Promise<void> {
    if (targets.length === 0) return;
    const { business, dialect } = this.env;
    const contacts = [];
    const identities: Array<Insertable<ContactIdentityTable>> = [];
    const tags: Array<Insertable<ContactTagTable>> = [];
    for (const t of targets) {
      const prepared = await buildNewContact(business, t.draft, t.id, now);
      contacts.push(prepared.row);
      for (const i of prepared.identities) identities.push(i);
      for (const tag of prepared.tags) tags.push({ business_id: business.id, contact_id: t.id, tag });
    }
    await insertRows(trx, dialect, 'contacts', contacts);
    await insertRows(trx, dialect, 'contact_identities', identities);
    await insertRows(trx, dialect, 'contact_tags', tags);
    await insertRows(trx, dialect, 'consents', targets.flatMap((t) => this.consentRows(t, Object.entries(t.draft.consent) as Array<[ConsentChannel, 'granted' | 'revoked']>, now)));
    await insertRows(trx, dialect, 'interactions', targets.flatMap((t) => t.draft.notes.map((body) => this.noteRow(t, body, now))));
  }

  private async mergeExisting(trx: Executor, targets: Target[], now: string): Promise<void> {
    if (targets.length === 0) return;
    const { business, dialect } = this.env;
    const businessId = business.id;
    const ids = targets.map((t) => t.id);
    const rows = new Map((await trx.selectFrom('contacts').selectAll().where('business_id', '=', businessId).where('id', 'in', ids).execute()).map((r) => [r.id, r]));
    const tagsById = await this.loadTags(trx, ids);
    const withConsent = targets.filter((t) => Object.keys(t.draft.consent).length).map((t) => t.id);
    const consentById = await loadConsent(trx, businessId, withConsent);
    const withNotes = targets.filter((t) => t.draft.notes.length).map((t) => t.id);
    const storedNotes = new Set<string>();
    if (withNotes.length) {
      const notes = await trx.selectFrom('interactions').select(['contact_id', 'body']).where('business_id', '=', businessId).where('kind', '=', 'note').where('contact_id', 'in', withNotes).execute();
      for (const n of notes) storedNotes.add(`${n.contact_id}\n${n.body ?? ''}`);
    }
    const consents: Array<Insertable<ConsentTable>> = [];
    const notes: Array<Insertable<InteractionTable>> = [];
    const addedIdentities: Array<Insertable<ContactIdentityTable>> = [];
    const addedTags: Array<Insertable<ContactTagTable>> = [];
    for (const t of targets) {
      const current = rows.get(t.id);
      if (!current) continue; // deleted since the identity lookup: nothing to merge into
      const currentTags = tagsById.get(t.id) ?? [];
      const patch = mergePatch(current, currentTags, t.draft);
      if (patch) {
        const { set, identities, tags } = await preparePatch(business, current, currentTags, patch);
        await trx.updateTable('contacts').set({ ...set, updated_at: now }).where('business_id', '=', businessId).where('id', '=', t.id).execute();
        // A merge only ever adds phones, emails and tags, so only the new ones are inserted (all merges' at once, below).
        const known = new Set([...parseJson<Array<{ number: string }>>(current.phones, []).map((p) => `phone:${p.number}`), ...parseJson<Array<{ address: string }>>(current.emails, []).map((e) => `email:${e.address}`)]);
        for (const i of identities ?? []) if (!known.has(`${i.kind}:${i.value}`)) addedIdentities.push(i);
        for (const tag of tags ?? []) if (!currentTags.includes(tag)) addedTags.push({ business_id: businessId, contact_id: t.id, tag });
      }
      // Consent from a file only ever adds information or withdraws it: it never re-grants what the contact revoked.
      const state = consentById.get(t.id);
      const changes = (Object.entries(t.draft.consent) as Array<[ConsentChannel, 'granted' | 'revoked']>).filter(([channel, status]) => {
        const currentStatus = state?.[channel].status ?? 'unknown';
        return currentStatus === 'unknown' ? true : currentStatus === 'granted' && status === 'revoked';
      });
      consents.push(...this.consentRows(t, changes, now));
      for (const body of t.draft.notes) if (!storedNotes.has(`${t.id}\n${body}`)) notes.push(this.noteRow(t, body, now));
    }
    await insertRows(trx, dialect, 'contact_identities', addedIdentities, { ignoreDuplicates: true });
    await insertRows(trx, dialect, 'contact_tags', addedTags, { ignoreDuplicates: true });
    await insertRows(trx, dialect, 'consents', consents);
    await insertRows(trx, dialect, 'interactions', notes);
  }

  /**
   * Tags of some contacts. Scoped to the business through the contacts join
   * rather than contact_tags.business_id: on SQLite (no planner statistics)
   * an equality on contact_tags.business_id makes it walk every tag of the
   * business through contact_tags_lookup_idx instead of using the primary key.
   */
  private async loadTags(trx: Executor, ids: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const part of chunks(ids)) {
      const rows = await trx
        .selectFrom('contact_tags')
        .innerJoin('contacts', 'contacts.id', 'contact_tags.contact_id')
        .select(['contact_tags.contact_id', 'contact_tags.tag'])
        .where('contacts.business_id', '=', this.env.business.id)
        .where('contacts.id', 'in', part)
        .execute();
      for (const r of rows) map.get(r.contact_id)?.push(r.tag);
    }
    return map;
  }

  private consentRows(t: Target, entries: Array<[ConsentChannel, 'granted' | 'revoked']>, now: string): Array<Insertable<ConsentTable>> {
    const { scope, importId } = this.env;
    const recordedBy = scope.actor.id ? `${scope.actor.type}:${scope.actor.id}` : scope.actor.type;
    return entries.map(([channel, status]) => ({
      id: newId(),
      business_id: scope.businessId,
      contact_id: t.id,
      channel,
      status,
      method: 'import',
      evidence: `CSV import ${importId}, line ${t.draft.line}`,
      recorded_by: recordedBy,
      recorded_at: now,
    }));
  }

  private noteRow(t: Target, body: string, now: string): Insertable<InteractionTable> {
    return {
      id: newId(),
      business_id: this.env.scope.businessId,
      contact_id: t.id,
      kind: 'note',
      direction: null,
      channel: 'internal',
      subject: null,
      body,
      outcome: null,
      duration_seconds: null,
      user_id: null,
      external_id: null,
      metadata: JSON.stringify({ importId: this.env.importId, line: t.draft.line }),
      occurred_at: now,
      created_at: now,
    };
  }
}
