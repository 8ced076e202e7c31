import { AppError } from '../../lib/errors.ts';
import type { ContactReadEnv } from './contact-draft.ts';
import { headerKey, type ImportEntity } from './fields.ts';
import { enumKey } from './values.ts';
import { jobShapes } from './job-shapes.ts';
import { dealShapes } from './deal-shapes.ts';

/**
 * Export shapes of the tools local service businesses move from: each
 * vendor's column names for an entity, and how its values map onto Kinetic's
 * (lifecycle stages, lead statuses, sources). A shape is recognised from the
 * header row; `format` forces one. Columns a shape does not name fall back
 * to the automatic mapping, so an export with extra or custom columns still
 * imports.
 */
export const vendors = ['hubspot', 'jobber', 'housecall-pro', 'servicetitan', 'gohighlevel'] as const;
export type Vendor = (typeof vendors)[number];
/** Every recognised export, by name: `format` takes one of these to force a vendor's particular export (jobber-invoices), or a vendor. */
export const shapeNames = [
  'hubspot-contacts', 'jobber-clients', 'housecall-pro-customers', 'servicetitan-customers', 'gohighlevel-contacts',
  'jobber-jobs', 'jobber-invoices', 'housecall-pro-jobs', 'servicetitan-jobs',
  'hubspot-deals', 'gohighlevel-opportunities',
] as const;
export type ShapeName = (typeof shapeNames)[number];
export const importFormats = [...vendors, ...shapeNames] as const;
export type ImportFormat = (typeof importFormats)[number];

export interface ImportShape {
  /** e.g. "hubspot-contacts". */
  name: ShapeName;
  vendor: Vendor;
  entity: ImportEntity;
  /** Header keys (see headerKey) that all appear in this vendor's export and rarely anywhere else. */
  signature: string[];
  /** At least one of these must appear as well. */
  anyOf?: string[];
  /** Exported column → Kinetic field ("custom.<name>" keeps it as a custom field; "ignore" skips it). */
  columns: Record<string, string>;
  stageSynonyms?: Record<string, string>;
  leadStatusSynonyms?: Record<string, string>;
  sourceSynonyms?: Record<string, string>;
  /** Jobs: the vendor's job (or invoice) statuses → scheduled, completed, cancelled, no_show. */
  jobStatusSynonyms?: Record<string, string>;
  /**
   * The custom field in which this vendor's customers export keeps its record id
   * (e.g. "serviceTitanId"): a jobs or deals row naming the customer by that id
   * is linked to the contact imported from it.
   */
  customerIdField?: string;
  /** Deals: the vendor's stage names and internal values → new, qualified, quote_sent, negotiation, won, lost. */
  dealStageSynonyms?: Record<string, string>;
}

const hubspotContacts: ImportShape = {
  name: 'hubspot-contacts',
  vendor: 'hubspot',
  entity: 'contacts',
  signature: ['record id'],
  anyOf: ['lifecycle stage', 'contact owner', 'create date', 'original source', 'lead status'],
  columns: {
    'Record ID': 'custom.hubspotRecordId',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    Email: 'email',
    'Additional email addresses': 'emails',
    'Phone Number': 'phone',
    'Mobile Phone Number': 'phones',
    'Street Address': 'addressLine1',
    City: 'city',
    'State/Region': 'region',
    'Postal Code': 'postalCode',
    'Country/Region': 'country',
    'Lifecycle Stage': 'lifecycleStage',
    'Lead Status': 'leadStatus',
    'Contact owner': 'owner',
    'Original Source': 'source',
    'Create Date': 'createdAt',
    'Associated Company': 'custom.company',
    'Company Name': 'custom.company',
    'Job Title': 'custom.jobTitle',
    'Last Activity Date': 'custom.lastActivityDate',
    'Marketing contact status': 'custom.marketingContactStatus',
  },
  // Internal values (as the API and "export with internal names" write them) and labels.
  stageSynonyms: {
    subscriber: 'lead', lead: 'lead', marketingqualifiedlead: 'lead', salesqualifiedlead: 'lead', opportunity: 'lead',
    customer: 'customer', evangelist: 'customer',
  },
  leadStatusSynonyms: {
    new: 'lead', open: 'lead', in_progress: 'lead', open_deal: 'lead', attempted_to_contact: 'lead', connected: 'lead',
    unqualified: 'lost', bad_timing: 'lost',
  },
  sourceSynonyms: {
    organic_search: 'organic_search', paid_search: 'paid_search', email_marketing: 'email_marketing', social_media: 'social_media', organic_social: 'social_media',
    referrals: 'referral', other_campaigns: 'other_campaigns', direct_traffic: 'website', offline: 'offline', offline_sources: 'offline', paid_social: 'paid_social', ai_referrals: 'ai_referral',
  },
};

const jobberClients: ImportShape = {
  name: 'jobber-clients',
  vendor: 'jobber',
  entity: 'contacts',
  signature: ['display name'],
  anyOf: ['main phone numbers', 'mobile phone numbers', 'billing street 1', 'service street 1', 'j id'],
  columns: {
    'J-ID': 'custom.jobberId',
    'Display Name': 'name',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    'Company Name': 'custom.company',
    Title: 'ignore',
    'E-mails': 'email',
    'Main Phone #s': 'phone',
    'Mobile Phone #s': 'phones',
    'Home Phone #s': 'phones',
    'Work Phone #s': 'phones',
    'Other Phone #s': 'phones',
    'Fax Phone #s': 'ignore',
    'Billing Street 1': 'addressLine1',
    'Billing Street 2': 'addressLine2',
    'Billing City': 'city',
    'Billing State': 'region',
    'Billing Zip code': 'postalCode',
    'Billing Country': 'country',
    'Service Street 1': 'custom.serviceStreet',
    'Service City': 'custom.serviceCity',
    Tags: 'tags',
    'Lead Source': 'source',
    'Created Date': 'createdAt',
    Archived: 'custom.archived',
    'Is Company?': 'ignore',
  },
  stageSynonyms: { lead: 'lead', active: 'customer', archived: 'dormant' },
};

const housecallCustomers: ImportShape = {
  name: 'housecall-pro-customers',
  vendor: 'housecall-pro',
  entity: 'contacts',
  signature: ['first name', 'last name'],
  anyOf: ['mobile number', 'home number', 'work number', 'lead source', 'customer tags'],
  columns: {
    'First Name': 'firstName',
    'Last Name': 'lastName',
    Email: 'email',
    'Mobile Number': 'phone',
    'Home Number': 'phones',
    'Work Number': 'phones',
    Company: 'custom.company',
    Street: 'addressLine1',
    'Street Line 2': 'addressLine2',
    City: 'city',
    State: 'region',
    Zip: 'postalCode',
    'Customer Tags': 'tags',
    Tags: 'tags',
    'Lead Source': 'source',
    Notes: 'notes',
    'Created At': 'createdAt',
    'Customer ID': 'custom.housecallProId',
  },
};

const servicetitanCustomers: ImportShape = {
  name: 'servicetitan-customers',
  vendor: 'servicetitan',
  entity: 'contacts',
  signature: ['customer id', 'customer name'],
  anyOf: ['customer type', 'member status', 'campaign', 'balance'],
  columns: {
    'Customer ID': 'custom.serviceTitanId',
    'Customer Name': 'name',
    'Customer Type': 'custom.customerType',
    Phone: 'phone',
    'Mobile Phone': 'phones',
    'Phone Numbers': 'phones',
    Email: 'email',
    Address: 'addressLine1',
    Street: 'addressLine1',
    Unit: 'addressLine2',
    City: 'city',
    State: 'region',
    Zip: 'postalCode',
    'Member Status': 'custom.memberStatus',
    Campaign: 'source',
    'Lead Source': 'source',
    'Created On': 'createdAt',
    'Date Created': 'createdAt',
    Balance: 'custom.balance',
    'Do Not Mail': 'ignore',
    'Do Not Service': 'custom.doNotService',
    Tags: 'tags',
  },
};

const gohighlevelContacts: ImportShape = {
  name: 'gohighlevel-contacts',
  vendor: 'gohighlevel',
  entity: 'contacts',
  signature: ['contact id'],
  anyOf: ['additional phones', 'additional emails', 'business name', 'last activity', 'dnd'],
  columns: {
    'Contact Id': 'custom.highLevelId',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    Name: 'name',
    Phone: 'phone',
    Email: 'email',
    'Additional Phones': 'phones',
    'Additional Emails': 'emails',
    'Business Name': 'custom.company',
    'Company Name': 'custom.company',
    Address: 'addressLine1',
    'Address 1': 'addressLine1',
    City: 'city',
    State: 'region',
    'Postal Code': 'postalCode',
    Country: 'country',
    Source: 'source',
    Tags: 'tags',
    Created: 'createdAt',
    'Date Created': 'createdAt',
    'Last Activity': 'custom.lastActivity',
    DND: 'ignore',
    Timezone: 'timeZone',
    'Assigned To': 'owner',
  },
};

export const shapes: readonly ImportShape[] = [hubspotContacts, jobberClients, servicetitanCustomers, gohighlevelContacts, housecallCustomers, ...jobShapes, ...dealShapes];

const shapeLabel = (s: ImportShape) => `${s.name} (${s.entity})`;
const carries = (s: ImportShape, keys: Set<string>) => s.signature.every((k) => keys.has(k)) && (!s.anyOf || s.anyOf.some((k) => keys.has(k)));

/** The shape of a file's header row: the one forced by `format`, else the first whose signature it carries; null: a plain CSV. */
export function detectShape(entity: ImportEntity, headers: string[], format?: string): ShapePlan | null {
  const keys = new Set(headers.map(headerKey));
  if (format !== undefined) {
    if (!(importFormats as readonly string[]).includes(format)) {
      throw new AppError('BAD_REQUEST', `unknown format "${format}": use one of ${importFormats.join(', ')}`);
    }
    const named = shapes.find((s) => s.name === format);
    if (named && named.entity !== entity) {
      throw new AppError('BAD_REQUEST', `format "${format}" is a ${named.entity} export; import it as ${named.entity}`);
    }
    // A vendor with several exports of this entity (Jobber's jobs and invoices): the one the header carries, else the first.
    const candidates = named ? [named] : shapes.filter((s) => s.vendor === format && s.entity === entity);
    const shape = candidates.find((s) => carries(s, keys)) ?? candidates[0];
    if (!shape) {
      const known = shapes.filter((s) => s.vendor === format).map(shapeLabel);
      throw new AppError('BAD_REQUEST', `format "${format}" has no ${entity} export shape${known.length ? ` (it has: ${known.join(', ')})` : ''}`);
    }
    return planFor(shape);
  }
  const found = shapes.find((s) => s.entity === entity && carries(s, keys));
  return found ? planFor(found) : null;
}

export interface ShapePlan {
  name: string;
  shape: ImportShape;
  /** The explicit mapping for the headers of this file the shape names. */
  mapping(headers: string[]): Record<string, string>;
}

function planFor(shape: ImportShape): ShapePlan {
  const byKey = new Map(Object.entries(shape.columns).map(([h, f]) => [headerKey(h), f]));
  const taken = new Set<string>();
  return {
    name: shape.name,
    shape,
    mapping(headers) {
      const out: Record<string, string> = {};
      for (const h of headers) {
        const field = byKey.get(headerKey(h));
        if (field === undefined) continue;
        // A single-valued field named by two of the vendor's columns ("Company Name", "Associated Company"): the first wins.
        if (field !== 'ignore' && !['phones', 'emails', 'tags', 'notes'].includes(field) && taken.has(field)) continue;
        taken.add(field);
        out[h] = field;
      }
      return out;
    },
  };
}

/** A vendor's value map with its keys spelled as cells are compared (enumKey), or undefined without one. */
export const keyedSynonyms = (table: Record<string, string> | undefined): Record<string, string> | undefined =>
  table ? Object.fromEntries(Object.entries(table).map(([k, v]) => [enumKey(k), v])) : undefined;

/** The contact-reading options with a shape's value maps added. */
export function applyShape(plan: ShapePlan | null, env: ContactReadEnv): ContactReadEnv {
  if (!plan) return env;
  return {
    ...env,
    stageSynonyms: keyedSynonyms(plan.shape.stageSynonyms),
    leadStatusSynonyms: keyedSynonyms(plan.shape.leadStatusSynonyms),
    sourceSynonyms: keyedSynonyms(plan.shape.sourceSynonyms),
  };
}
