import { yieldEvery } from '../../lib/yield.ts';
import type { Insertable } from 'kysely';
import type { Scope } from '../../context.ts';
import type { Dialect, Executor } from '../../db/database.ts';
import type { ConsentTable, ContactIdentityTable, ContactTagTable, InteractionTable } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import type { Business } from '../businesses/schema.ts';
import { loadConsent } from '../contacts/consent.ts';
import { displayName, preparePatch } from '../contacts/prepare.ts';
import { parseJson } from '../shared/fields.ts';
import type { ConsentChannel } from '../contacts/schema.ts';
import { chunks, insertRows } from './bulk.ts';
import { mergeDraft, type ContactDraft } from './contact-draft.ts';
import { buildNewContact, mergePatch } from './contact-rows.ts';
import { namesClearlyDiffer, type PersonName } from './names.ts';

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
  /** --update-existing: the file's non-empty values replace what matched contacts have. */
  updateExisting?: boolean;
}

/** Where a row went: a new contact, or the contact it was merged into (and on what). */
export interface Resolution {
  contactId: string;
  created: boolean;
  /** The contact's name as stored (or as the file gives it, for a contact this import creates). */
  name: string;
  matchedOn?: 'phone' | 'email';
  /** Set on the merge into a contact that existed before this import. */
  existing?: boolean;
  /** A new contact sharing a phone with another of a clearly different name (household, office). */
  sharesPhoneWith?: { contactId: string; name: string };
}

interface KnownContact {
  firstName: string | null;
  lastName: string | null;
  /** The display name, or null when it is only the phone or email standing in for one. */
  name: string | null;
  displayName: string;
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

const draftName = (d: ContactDraft): string => displayName(d.firstName, d.lastName, d.name, d.emails[0] ?? null, d.phones[0] ?? null);

/**
 * Finds the contact each row is about — by normalised phone or email, in the
 * business's stored identities and earlier in the same file — and writes the
 * batch's new contacts and merges. One identity query per batch; inserts in
 * bulk. Used by the contacts import and by jobs/interactions rows that name
 * their contact by phone or email.
 *
 * An email match merges. A phone match merges only when the names do not
 * clearly differ: a different person on a shared line (a household, an
 * office) becomes a contact of their own with the same number, reported as a
 * possible duplicate so a person can decide.
 *
 * Within one run the `owners` map remembers which contacts each identity
 * belongs to. After a committed batch the database knows too, so the map is
 * cleared; in a dry run nothing is written, so it is kept for the whole file
 * (memory grows with the distinct phones/emails of a dry run only).
 */
export class ContactResolver {
  /** identity key → the contacts holding it, oldest first (ids are time-ordered). */
  private readonly owners = new Map<string, string[]>();
  private readonly known = new Map<string, KnownContact>();
  private targets = new Map<string, Target>();
  contactsCreated = 0;

  constructor(private readonly env: ResolverEnv) {}

  /** Loads which stored contacts own the batch's phones/emails, and their names (one query per 5,000 identities). */
  async prefetch(trx: Executor, drafts: ContactDraft[]): Promise<void> {
    const wanted = new Set<string>();
    for (const d of drafts) for (const k of keysOf(d)) if (!this.owners.has(k)) wanted.add(k);
    if (wanted.size === 0) return;
    const values = [...new Set([...wanted].map((k) => k.slice(k.indexOf(':') + 1)))];
    const found = new Set<string>();
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
        const list = this.owners.get(key) ?? [];
        if (!list.includes(r.contact_id)) list.push(r.contact_id);
        this.owners.set(key, list);
        if (!this.known.has(r.contact_id)) found.add(r.contact_id);
      }
    }
    for (const list of this.owners.values()) list.sort();
    for (const part of chunks([...found])) {
      const rows = await trx
        .selectFrom('contacts')
        .select(['id', 'first_name', 'last_name', 'display_name', 'phone', 'email'])
        .where('business_id', '=', this.env.scope.businessId)
        .where('id', 'in', part)
        .execute();
      for (const r of rows) {
        const fallback = r.display_name === displayName(null, null, null, r.email, r.phone);
        this.known.set(r.id, { firstName: r.first_name, lastName: r.last_name, name: fallback ? null : r.display_name, displayName: r.display_name });
      }
    }
  }

  private nameOf(id: string): PersonName & { displayName: string } {
    const target = this.targets.get(id);
    // A stored contact is named as stored; one this import creates, as its first row names it.
    if (target?.isNew) return { firstName: target.draft.firstName, lastName: target.draft.lastName, name: target.draft.name, displayName: draftName(target.draft) };
    const known = this.known.get(id);
    return known ? { ...known, displayName: known.displayName } : { displayName: id };
  }

  /** The contact a draft belongs to: an existing one (merged) or a new one (created). The resolver takes ownership of the draft. */
  resolve(draft: ContactDraft): Resolution {
    const keys = keysOf(draft);
    let ownerId: string | undefined;
    let matchedOn: 'phone' | 'email' | undefined;
    let sharesPhoneWith: string | undefined;
    // Emails are personal: an email match wins over a phone match.
    for (const key of keys.filter((k) => k.startsWith('email:'))) {
      ownerId = this.owners.get(key)?.[0];
      if (ownerId !== undefined) {
        matchedOn = 'email';
        break;
      }
    }
    if (ownerId === undefined) {
      for (const key of keys.filter((k) => k.startsWith('phone:'))) {
        for (const id of this.owners.get(key) ?? []) {
          if (!namesClearlyDiffer(draft, this.nameOf(id))) {
            ownerId = id;
            matchedOn = 'phone';
            break;
          }
          sharesPhoneWith ??= id;
        }
        if (ownerId !== undefined) break;
      }
    }
    let target = ownerId === undefined ? undefined : this.targets.get(ownerId);
    let created = false;
    let existing = false;
    if (ownerId === undefined) {
      target = { id: newId(), isNew: true, draft };
      this.targets.set(target.id, target);
      this.contactsCreated++;
      created = true;
    } else if (!target) {
      target = { id: ownerId, isNew: false, draft };
      this.targets.set(ownerId, target);
      existing = true;
    } else {
      existing = !target.isNew;
      mergeDraft(target.draft, draft);
    }
    for (const key of target.draft === draft ? keys : keysOf(target.draft)) {
      const list = this.owners.get(key) ?? [];
      if (!list.includes(target.id)) {
        list.push(target.id);
        this.owners.set(key, list);
      }
    }
    const resolution: Resolution = { contactId: target.id, created, name: created ? draftName(draft) : this.nameOf(target.id).displayName };
    if (matchedOn) resolution.matchedOn = matchedOn;
    if (!created) resolution.existing = existing;
    if (created && sharesPhoneWith !== undefined) resolution.sharesPhoneWith = { contactId: sharesPhoneWith, name: this.nameOf(sharesPhoneWith).displayName };
    return resolution;
  }

  /** Writes the batch's new contacts and merges inside the caller's transaction (a dry run only forgets the batch). */
  async flush(trx: Executor, now: string): Promise<void> {
    const targets = [...this.targets.values()];
    this.targets = new Map();
    if (this.env.dryRun) {
      // Nothing is written, so later batches learn these contacts' names from here, not from the database.
      for (const t of targets) this.known.set(t.id, { firstName: t.draft.firstName, lastName: t.draft.lastName, name: t.draft.name, displayName: draftName(t.draft) });
      return;
    }
    await this.insertNew(trx, targets.filter((t) => t.isNew), now);
    await this.mergeExisting(trx, targets.filter((t) => !t.isNew), now);
    // Committed with this batch: the next prefetch finds them in the database.
    this.owners.clear();
    this.known.clear();
  }

  private async insertNew(trx: Executor, targets: Target[], now: string): Promise<void> {
    if (targets.length === 0) return;
    const { business, dialect } = this.env;
    const contacts = [];
    const identities: Array<Insertable<ContactIdentityTable>> = [];
    const tags: Array<Insertable<ContactTagTable>> = [];
    const breathe = yieldEvery(250);
    for (const t of targets) {
      await breathe();
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
      const patch = mergePatch(current, currentTags, t.draft, this.env.updateExisting);
      // First seen is a fact, not a value to overwrite: the earliest date known wins.
      const firstSeen = t.draft.firstSeenAt && t.draft.firstSeenAt < current.created_at ? t.draft.firstSeenAt : null;
      if (patch || firstSeen) {
        const { set, identities, tags } = patch ? await preparePatch(business, current, currentTags, patch) : { set: {}, identities: undefined, tags: undefined };
        await trx.updateTable('contacts').set({ ...set, ...(firstSeen && { created_at: firstSeen }), updated_at: now }).where('business_id', '=', businessId).where('id', '=', t.id).execute();
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
