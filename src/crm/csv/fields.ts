/**
 * The fields a CSV column can be imported into, per entity, and the header
 * spellings that map to each one automatically. Headers are compared after
 * `headerKey` (lower-case, accents and punctuation folded to single spaces), so
 * "E-mail", "e_mail" and "E MAIL" are the same header.
 */
export type ImportEntity = 'contacts' | 'jobs' | 'interactions' | 'deals';

export const contactFields = [
  'firstName', 'lastName', 'name', 'phone', 'phones', 'email', 'emails',
  'addressLine1', 'addressLine2', 'city', 'region', 'postalCode', 'country', 'timeZone',
  'source', 'lifecycleStage', 'leadStatus', 'tags', 'notes', 'consent.sms', 'consent.email', 'consent.voice', 'createdAt', 'owner',
] as const;

/** Columns that name (or describe) the contact a job or interaction belongs to. */
const contactRefFields = ['contactId', 'name', 'firstName', 'lastName', 'phone', 'email'] as const;

export const jobFields = [
  ...contactRefFields,
  'serviceType', 'status', 'scheduledStart', 'scheduledEnd', 'completedAt', 'amount', 'amountCents', 'technician', 'notes', 'externalId',
  // The exporting tool's own id of the customer (ServiceTitan "Customer ID"): found among contacts imported from its customers export.
  'vendorCustomerId',
] as const;

export const interactionFields = [
  ...contactRefFields,
  'kind', 'direction', 'channel', 'occurredAt', 'subject', 'body', 'outcome', 'duration', 'user', 'externalId',
] as const;

export const dealFields = [
  ...contactRefFields,
  'vendorCustomerId',
  // "Maria Lopez (maria@example.com)": a contact named with its email, as CRMs export a deal's associated contact.
  'contactLabel',
  'title', 'pipeline', 'stage', 'status', 'amount', 'amountCents', 'expectedCloseDate', 'closedAt', 'createdAt', 'owner', 'closeReason',
] as const;

export const entityFields: Record<ImportEntity, readonly string[]> = {
  contacts: contactFields,
  jobs: jobFields,
  interactions: interactionFields,
  deals: dealFields,
};

/** Fields that several columns may feed (values are combined); every other field takes one column. */
export const multiColumnFields = new Set(['phones', 'emails', 'tags', 'notes', 'body']);

/** A second column auto-mapped to one of these goes to the list field instead (a second phone → phones). */
export const overflowField: Record<string, string> = { phone: 'phones', email: 'emails' };

/** Fields that say which contact a job/interaction row is about (at least one must be mapped). */
export const contactReferenceFields = ['contactId', 'phone', 'email', 'vendorCustomerId', 'contactLabel'];

/** Mapping values that mean "skip this column". */
export const ignoreValues = new Set(['', 'ignore', 'skip', '-']);

/** The custom-field prefix: `custom.<name>` (also `custom:<name>`, `custom_<name>` in headers). */
export const customPrefix = 'custom.';
const customHeader = /^\s*custom\s*[._:]\s*(\S.*?)\s*$/i;

export function customFieldFromHeader(header: string): string | null {
  const m = customHeader.exec(header);
  return m ? m[1] : null;
}

export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/#/g, ' number ') // "Job #" → "job number"
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const contactRefSynonyms: Record<string, string[]> = {
  contactId: ['contact id', 'customer id', 'client id', 'contact'],
  name: ['name', 'full name', 'contact name', 'customer name', 'customer', 'client', 'client name', 'display name'],
  firstName: ['first name', 'firstname', 'given name', 'first', 'fname', 'contact first name', 'customer first name'],
  lastName: ['last name', 'lastname', 'surname', 'family name', 'last', 'lname', 'contact last name', 'customer last name'],
  phone: ['phone', 'phone number', 'mobile', 'mobile phone', 'mobile number', 'cell', 'cell phone', 'cell number', 'telephone', 'tel', 'contact phone', 'customer phone', 'primary phone', 'home phone', 'work phone', 'phone 1'],
  email: ['email', 'e mail', 'email address', 'e mail address', 'mail', 'contact email', 'customer email', 'primary email', 'email 1'],
};

const synonyms: Record<ImportEntity, Record<string, string[]>> = {
  contacts: {
    name: contactRefSynonyms.name,
    firstName: contactRefSynonyms.firstName,
    lastName: contactRefSynonyms.lastName,
    phone: contactRefSynonyms.phone,
    email: contactRefSynonyms.email,
    phones: ['phones', 'other phones', 'additional phones', 'phone 2', 'phone 3', 'secondary phone', 'alternate phone', 'alt phone', 'other phone', 'mobile phone number', 'cell phone number', 'home phone number', 'work phone number', 'fax', 'fax number', 'office phone', 'business phone', 'landline'],
    emails: ['emails', 'other emails', 'additional emails', 'email 2', 'email 3', 'secondary email', 'alternate email', 'other email', 'additional email addresses', 'work email', 'personal email'],
    addressLine1: ['address', 'street', 'street address', 'address line 1', 'address line1', 'address 1', 'address1', 'mailing address', 'service address'],
    addressLine2: ['address line 2', 'address line2', 'address 2', 'address2', 'apt', 'suite', 'unit'],
    city: ['city', 'town'],
    region: ['state', 'province', 'region', 'state province', 'state region'],
    postalCode: ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'postal', 'post code'],
    country: ['country', 'country code', 'country region'],
    timeZone: ['time zone', 'timezone', 'tz'],
    source: ['source', 'lead source', 'referral source', 'how did you hear about us', 'original source', 'contact source', 'customer source'],
    lifecycleStage: ['stage', 'status', 'lifecycle', 'lifecycle stage', 'contact status', 'customer status', 'contact type', 'customer type'],
    leadStatus: ['lead status'],
    createdAt: ['created at', 'create date', 'created date', 'created', 'created on', 'date created', 'date added', 'added on', 'customer since', 'client since', 'first seen', 'date of first contact'],
    owner: ['owner', 'contact owner', 'customer owner', 'assigned to', 'assigned user', 'sales rep', 'account owner', 'hubspot owner'],
    tags: ['tags', 'tag', 'labels', 'label', 'groups'],
    notes: ['notes', 'note', 'comments', 'comment'],
    'consent.sms': ['sms consent', 'sms opt in', 'sms optin', 'text consent', 'text opt in', 'sms marketing'],
    'consent.email': ['email consent', 'email opt in', 'email optin', 'email marketing'],
    'consent.voice': ['voice consent', 'call consent', 'voice opt in'],
  },
  jobs: {
    ...contactRefSynonyms,
    serviceType: ['service type', 'service', 'job type', 'type', 'service name', 'work type', 'category'],
    status: ['status', 'job status'],
    scheduledStart: ['scheduled start', 'start', 'start time', 'start date', 'scheduled', 'scheduled at', 'scheduled date', 'scheduled for', 'appointment', 'appointment date', 'appointment time', 'date', 'job date'],
    scheduledEnd: ['scheduled end', 'end', 'end time', 'end date'],
    completedAt: ['completed at', 'completed', 'completed on', 'completed date', 'completion date', 'date completed', 'finished at'],
    amount: ['amount', 'total', 'price', 'revenue', 'invoice total', 'invoice amount', 'job total', 'ticket', 'amount usd'],
    amountCents: ['amount cents', 'total cents', 'price cents'],
    technician: ['technician', 'tech', 'technician email', 'assigned to', 'assigned technician', 'assignee', 'employee', 'worker', 'staff'],
    notes: ['notes', 'note', 'description', 'job notes', 'summary', 'comments'],
    externalId: ['external id', 'job id', 'job number', 'job no', 'work order', 'invoice number', 'invoice', 'reference', 'ref'],
  },
  deals: {
    ...contactRefSynonyms,
    contactLabel: ['associated contact', 'associated contacts'],
    title: ['title', 'deal name', 'deal', 'opportunity name', 'opportunity', 'deal title', 'name of deal'],
    pipeline: ['pipeline', 'pipeline name'],
    stage: ['stage', 'deal stage', 'pipeline stage', 'opportunity stage'],
    status: ['status', 'deal status', 'opportunity status'],
    amount: ['amount', 'value', 'deal value', 'lead value', 'opportunity value', 'deal amount', 'total', 'price', 'quote total', 'estimate total'],
    amountCents: ['amount cents', 'value cents'],
    expectedCloseDate: ['close date', 'expected close date', 'expected close', 'closing date'],
    closedAt: ['closed at', 'closed on', 'closed date', 'date closed', 'won date', 'lost date'],
    createdAt: ['created at', 'create date', 'created date', 'created', 'created on', 'date created'],
    owner: ['owner', 'deal owner', 'assigned to', 'assigned', 'opportunity owner', 'sales rep', 'salesperson'],
    closeReason: ['close reason', 'lost reason', 'closed lost reason', 'lost reason name', 'won reason', 'closed won reason'],
  },
  interactions: {
    ...contactRefSynonyms,
    kind: ['kind', 'type', 'interaction type', 'activity type', 'activity'],
    direction: ['direction'],
    channel: ['channel', 'medium'],
    occurredAt: ['occurred at', 'occurred', 'date', 'time', 'date time', 'datetime', 'timestamp', 'when', 'logged at', 'call date', 'started at', 'start time', 'sent at'],
    subject: ['subject', 'title'],
    body: ['body', 'message', 'text', 'content', 'notes', 'note', 'transcript', 'summary'],
    outcome: ['outcome', 'result', 'disposition', 'call result', 'call outcome', 'status'],
    duration: ['duration', 'duration seconds', 'duration sec', 'duration secs', 'call duration', 'length', 'seconds'],
    user: ['user', 'user email', 'agent', 'rep', 'owner', 'staff', 'handled by', 'technician'],
    externalId: ['external id', 'interaction id', 'call id', 'message id', 'reference', 'ref'],
  },
};

/** header key → field, per entity (built once). */
const synonymIndex: Record<ImportEntity, Map<string, string>> = Object.fromEntries(
  (Object.keys(synonyms) as ImportEntity[]).map((entity) => {
    const index = new Map<string, string>();
    for (const [field, names] of Object.entries(synonyms[entity])) {
      index.set(headerKey(field), field); // the field's own name ("postalCode" → "postalcode") also matches
      for (const n of names) index.set(headerKey(n), field);
    }
    return [entity, index];
  }),
) as Record<ImportEntity, Map<string, string>>;

/** The field a header maps to automatically, or null. */
export function fieldForHeader(entity: ImportEntity, header: string): string | null {
  if (entity === 'contacts') {
    const custom = customFieldFromHeader(header);
    if (custom !== null) return `${customPrefix}${custom}`;
  }
  return synonymIndex[entity].get(headerKey(header)) ?? null;
}

/**
 * Resolves a field named in an explicit mapping: the canonical name
 * ("postalCode"), `custom.<name>`, or any header synonym ("zip code").
 */
export function resolveFieldName(entity: ImportEntity, value: string): string | null {
  const trimmed = value.trim();
  if (entityFields[entity].includes(trimmed)) return trimmed;
  if (entity === 'contacts' && trimmed.toLowerCase().startsWith(customPrefix)) {
    const name = trimmed.slice(customPrefix.length).trim();
    return name ? `${customPrefix}${name}` : null;
  }
  return fieldForHeader(entity, trimmed);
}
