import type { Role } from '../access/users.ts';
import type { PostalAddress, Service, WeeklyHours } from '../crm/businesses/schema.ts';
import type { ConsentChannel, LifecycleStage } from '../crm/contacts/schema.ts';

/**
 * The demo business as plain data: a pure function of (seed, now). Rows refer
 * to each other by stable keys ("c0001", "tech2"); the loader maps keys to ids.
 * Instants are ISO-8601 UTC strings, money is integer cents.
 */
export interface DemoData {
  seed: number;
  now: string;
  /** Start of the generated history (36 months before now). */
  startedAt: string;
  business: DemoBusiness;
  users: DemoUser[];
  contacts: DemoContact[];
  /** Commercial accounts and the contacts who call for them (drawn from a random stream of their own). */
  companies: DemoCompany[];
  interactions: DemoInteraction[];
  jobs: DemoJob[];
  deals: DemoDeal[];
  reviews: DemoReview[];
  tasks: DemoTask[];
  /** One entry per inbound inquiry (also stored as an interaction with metadata.inquiry = true). */
  inquiries: DemoInquiry[];
}

export interface DemoBusiness {
  name: string;
  slug: string;
  timeZone: string;
  phone: string;
  email: string;
  address: PostalAddress;
  businessHours: WeeklyHours;
  services: Service[];
  reviewLink: string;
  onCall: { rotation: string[]; anchor: string; shiftHours: number; escalationMinutes: number };
}

export interface DemoUser {
  key: string;
  name: string;
  email: string;
  role: Role;
  phone: string;
  /** Only the owner has one (DEMO_LOGIN). */
  password: string | null;
}

export interface DemoConsent {
  channel: ConsentChannel;
  status: 'granted' | 'revoked';
  method: string;
  evidence: string;
  at: string;
}

export interface DemoContact {
  key: string;
  firstName: string;
  lastName: string;
  phone: string;
  phones: Array<{ number: string; label?: string }>;
  email: string | null;
  address: PostalAddress;
  source: string;
  lifecycleStage: LifecycleStage;
  tags: string[];
  customFields: Record<string, string | number | boolean | null>;
  ownerKey: string | null;
  consents: DemoConsent[];
  lastInteractionAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DemoCompany {
  key: string;
  name: string;
  domain: string;
  phone: string;
  address: { line1: string; city: string; region: string; postalCode: string };
  customFields: { industry: string; accountType: 'commercial' | 'prospect'; hvacUnits: number; serviceAgreement: boolean };
  /** Who works there; `since` is when the link was made (when that contact first reached the business). */
  contacts: Array<{ contactKey: string; title: string; since: string }>;
  createdAt: string;
  updatedAt: string;
}

export interface DemoInteraction {
  contactKey: string;
  kind: 'call' | 'sms' | 'email' | 'note' | 'meeting' | 'site_visit';
  direction: 'inbound' | 'outbound' | null;
  channel: 'phone' | 'sms' | 'email' | 'in_person' | 'internal' | 'web';
  subject: string | null;
  body: string | null;
  outcome: string | null;
  durationSeconds: number | null;
  userKey: string | null;
  metadata: Record<string, string | number | boolean | null>;
  occurredAt: string;
}

export type DemoJobStatus = 'scheduled' | 'completed' | 'cancelled' | 'no_show';

export interface DemoJob {
  key: string;
  contactKey: string;
  /** The account the work was for, when the contact called for their company. */
  companyKey: string | null;
  serviceType: string;
  status: DemoJobStatus;
  scheduledStart: string;
  scheduledEnd: string;
  completedAt: string | null;
  amountCents: number | null;
  technicianKey: string;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DemoDeal {
  key: string;
  contactKey: string;
  companyKey: string | null;
  title: string;
  stage: 'new' | 'qualified' | 'quote_sent' | 'negotiation' | 'won' | 'lost';
  status: 'open' | 'won' | 'lost';
  amountCents: number;
  expectedCloseDate: string | null;
  closedAt: string | null;
  closeReason: string | null;
  ownerKey: string;
  createdAt: string;
  updatedAt: string;
}

export interface DemoReview {
  contactKey: string;
  jobKey: string;
  platform: 'google';
  status: 'requested' | 'received';
  rating: number | null;
  body: string | null;
  requestedAt: string;
  receivedAt: string | null;
}

export interface DemoTask {
  contactKey: string | null;
  dealKey: string | null;
  jobKey: string | null;
  title: string;
  description: string | null;
  assigneeKey: string;
  dueAt: string | null;
  status: 'open' | 'done' | 'cancelled';
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DemoInquiry {
  contactKey: string;
  at: string;
  channel: 'call' | 'web' | 'sms';
  service: string;
  emergency: boolean;
  afterHours: boolean;
  /** Calls: somebody picked up. Web forms and texts count as answered (the office replied). */
  answered: boolean;
  bookedOnFirstContact: boolean;
  followedUp: boolean;
  /** Booked in the end (on the call, or through the follow-up or missed-call callback). */
  booked: boolean;
  newContact: boolean;
}
