import type { Generated } from 'kysely';

/**
 * Row types shared by both dialects. Timestamps are ISO-8601 UTC strings,
 * JSON columns are text (parsed by the domain mappers), money is integer cents.
 */
export interface BusinessTable {
  id: string;
  name: string;
  slug: string;
  time_zone: string;
  phone: string | null;
  email: string | null;
  address: string; // JSON PostalAddress
  business_hours: string; // JSON WeeklyHours
  services: string; // JSON Service[]
  review_link: string | null;
  on_call: string; // JSON OnCallSchedule
  settings: string; // JSON
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  business_id: string;
  email: string;
  name: string;
  role: string;
  phone: string | null;
  password_hash: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  business_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  business_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ContactTable {
  id: string;
  business_id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  phone: string | null; // primary, E.164
  email: string | null; // primary, normalised
  phones: string; // JSON [{ number, label }]
  emails: string; // JSON [{ address, label }]
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  time_zone: string | null;
  time_zone_source: string | null;
  source: string | null;
  lifecycle_stage: string;
  custom_fields: string; // JSON object
  owner_user_id: string | null;
  search_text: string;
  last_interaction_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContactIdentityTable {
  business_id: string;
  contact_id: string;
  kind: string; // phone | email
  value: string;
}

export interface ContactTagTable {
  business_id: string;
  contact_id: string;
  tag: string;
}

export interface ConsentTable {
  id: string;
  business_id: string;
  contact_id: string;
  channel: string;
  status: string;
  method: string;
  evidence: string | null;
  recorded_by: string | null;
  recorded_at: string;
}

export interface CompanyTable {
  id: string;
  business_id: string;
  name: string;
  domain: string | null;
  phone: string | null;
  address_line1: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  custom_fields: string;
  created_at: string;
  updated_at: string;
}

export interface ContactCompanyTable {
  business_id: string;
  contact_id: string;
  company_id: string;
  title: string | null;
  created_at: string;
}

export interface InteractionTable {
  id: string;
  business_id: string;
  contact_id: string;
  kind: string;
  direction: string | null;
  channel: string;
  subject: string | null;
  body: string | null;
  outcome: string | null;
  duration_seconds: number | null;
  user_id: string | null;
  external_id: string | null;
  metadata: string;
  occurred_at: string;
  created_at: string;
}

export interface JobTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  company_id: string | null;
  service_type: string;
  status: string;
  scheduled_start: string | null;
  scheduled_end: string | null;
  completed_at: string | null;
  amount_cents: number | null;
  technician_user_id: string | null;
  /** When the customer confirmed the appointment (by reply). */
  confirmed_at?: string | null;
  notes: string | null;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  /** Where the job came from: booking (the public booking page), or null when entered by staff/import. */
  source: string | null;
  /** JSON CalendarInvite (src/booking/calendar.ts): the calendar entry sent to the customer; null when no invite was sent. */
  calendar_invite?: string | null;
}

export interface DealTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  company_id: string | null;
  title: string;
  pipeline: string;
  stage: string;
  status: string;
  amount_cents: number | null;
  discount_cents?: number | null;
  expected_close_date: string | null;
  closed_at: string | null;
  close_reason: string | null;
  owner_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface TaskTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  deal_id: string | null;
  job_id: string | null;
  title: string;
  description: string | null;
  assignee_user_id: string | null;
  due_at: string | null;
  status: string;
  origin: string;
  origin_ref: string | null;
  /** What kind of follow-up this is (cold_lead, lead_replied, negative_review, …), set by automations. */
  kind?: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReviewTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  job_id: string | null;
  platform: string;
  status: string;
  rating: number | null;
  body: string | null;
  url: string | null;
  requested_at: string | null;
  received_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventTable {
  seq: Generated<number>;
  id: string;
  business_id: string;
  type: string;
  subject_type: string;
  subject_id: string;
  contact_id: string | null;
  payload: string;
  actor_type: string;
  actor_id: string | null;
  occurred_at: string;
}

export interface AuditTable {
  seq: Generated<number>;
  business_id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  changes: string;
  at: string;
}

export interface AutomationTable {
  id: string;
  business_id: string;
  name: string;
  status: string; // enabled | disabled
  version: number;
  definition: string; // JSON AutomationDefinition (current version)
  trigger_type: string; // event | segment | manual
  trigger_event: string | null;
  playbook: string | null;
  last_segment_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AutomationVersionTable {
  automation_id: string;
  version: number;
  definition: string;
  created_at: string;
}

export interface EnrollmentTable {
  id: string;
  business_id: string;
  automation_id: string;
  version: number;
  contact_id: string;
  occurrence_key: string;
  trigger_event_id: string | null;
  status: string; // active | waiting | completed | exited | parked | cancelled
  step: number;
  attempt: number;
  next_run_at: string | null;
  waiting_for: string | null; // JSON { event, timeoutAt } | { approvalId } | { outboxId }
  vars: string; // JSON
  last_error: string | null;
  exit_reason: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface EnrollmentLogTable {
  seq: Generated<number>;
  business_id: string;
  enrollment_id: string;
  contact_id: string;
  step: number | null;
  step_type: string | null;
  outcome: string;
  detail: string; // JSON
  at: string;
}

export interface OutboxTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  user_id: string | null;
  enrollment_id: string | null;
  step: number | null;
  idempotency_key: string;
  channel: string; // sms | email
  purpose: string; // transactional | marketing
  to_address: string;
  from_address: string | null;
  subject: string | null;
  body: string;
  html: string | null;
  headers: string; // JSON
  state: string; // queued | sending | sent | delivered | failed | unknown | cancelled
  provider: string | null;
  provider_message_id: string | null;
  attempts: number;
  not_before: string;
  last_error: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  /** A/B variant label of the step that produced this message, if the step has variants. */
  variant: string | null;
  /** JSON [{ filename, contentType, content }] (email only), e.g. a calendar invite. */
  attachments: string | null;
  /** 1 for a test send from Settings (to the team, never a customer). */
  is_test: Generated<number>;
}

export interface ApprovalTable {
  id: string;
  business_id: string;
  enrollment_id: string | null;
  contact_id: string | null;
  title: string;
  amount_cents: number | null;
  approver_role: string;
  status: string; // pending | approved | rejected | auto_approved
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  created_at: string;
}

export interface SuppressionTable {
  business_id: string;
  channel: string;
  address: string;
  reason: string;
  created_at: string;
}

export interface WebhookSubscriptionTable {
  id: string;
  business_id: string;
  url: string;
  secret: string;
  event_types: string; // JSON string[]
  status: string; // active | disabled
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryTable {
  id: string;
  business_id: string;
  subscription_id: string | null;
  enrollment_id: string | null;
  idempotency_key: string;
  url: string;
  event_type: string;
  payload: string;
  state: string; // pending | delivered | failed
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventCursorTable {
  consumer: string;
  last_seq: number;
  updated_at: string;
}

/** One phone call through the voice receptionist (state is JSON: the intake so far). */
export interface VoiceCallTable {
  call_sid: string;
  business_id: string;
  contact_id: string | null;
  from_number: string;
  to_number: string;
  mode: string; // ring | receptionist | voicemail
  stage: string;
  state: string; // JSON
  decision: string | null;
  interaction_id: string | null;
  status: string; // in_progress | ended
  duration_seconds: number | null;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

/** A number a business receives texts and calls on (E.164), so inbound webhooks find the business by index. */
/** A number a business receives texts and calls on (and may send from): one owner per number. */
export interface BusinessNumberTable {
  number: string;
  business_id: string;
  source: string; // profile | api | install_default
  verified: number; // 0 | 1: found on the business's Twilio account
  verified_at: string | null;
  provider_sid: string | null;
  checked_at: string | null;
  check_error: string | null;
  last_inbound_at: string | null;
  created_at: string;
}

/** A business's own sender settings (Twilio subaccount token encrypted at rest). */
export interface BusinessChannelsTable {
  business_id: string;
  messaging_service_sid: string | null;
  twilio_account_sid: string | null;
  twilio_auth_token: string | null;
  email_from_name: string | null;
  email_from_address: string | null;
  email_reply_to: string | null;
  updated_at: string;
}

/** Sticky sender: the number a business texts this address from. */
export interface SmsSenderTable {
  business_id: string;
  address: string;
  number: string;
  updated_at: string;
}

/** One-click unsubscribe tokens, stored as SHA-256 hashes. */
export interface UnsubscribeTokenTable {
  token_hash: string;
  business_id: string;
  contact_id: string;
  channel: string;
  address: string;
  created_at: string;
  used_at: string | null;
}

/** A technician's working week (JSON WeeklyHours, business time zone) and days off (JSON ["2026-03-05", …]). */
export interface TechnicianScheduleTable {
  business_id: string;
  user_id: string;
  weekly_hours: string;
  days_off: string;
  updated_at: string;
}

export interface BookingSettingsTable {
  business_id: string;
  buffer_minutes: number;
  slot_step_minutes: number;
  min_notice_minutes: number;
  horizon_days: number;
  updated_at: string;
}

/** One technician-time unit (5 minutes, UTC) held by a scheduled job: the primary key forbids double-booking. */
export interface BookingSlotClaimTable {
  business_id: string;
  technician_user_id: string;
  unit_start: string;
  job_id: string;
  created_at: string;
}

/** A threshold alert rule: "answerRate below 0.8 over the last 7 days". */
export interface AlertRuleTable {
  id: string;
  business_id: string;
  name: string;
  metric: string;
  comparator: string; // below | above
  threshold: number;
  window_days: number;
  channels: string; // JSON ("sms" | "email")[]
  enabled: number; // 0 | 1
  state: string; // ok | breached
  last_value: number | null;
  last_evaluated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A breach of an alert rule or its recovery; an open breach has resolved_at null. */
export interface AlertEventTable {
  id: string;
  business_id: string;
  rule_id: string;
  kind: string; // breach | recovery
  value: number | null;
  threshold: number;
  message: string;
  at: string;
  resolved_at: string | null;
}

/** An exception or alert dismissed for the business; it applies while `occurrence` matches the item and `until` (a snooze) has not passed. */
export interface ExceptionDismissalTable {
  id: string;
  business_id: string;
  kind: string; // an exception kind: alert | emergency_unacked | approval | …
  item_id: string;
  occurrence: string;
  note: string | null;
  until: string | null;
  actor_type: string;
  actor_id: string | null;
  dismissed_at: string;
}

/** A CSV import run as a background job (status queued | running | done | failed | cancelled); options and report are JSON. */
export interface ImportJobTable {
  id: string;
  business_id: string;
  kind: string; // contacts | jobs | interactions
  status: string;
  options: string;
  file_name: string | null;
  file_path: string;
  file_bytes: number;
  bytes_done: Generated<number>;
  rows_done: Generated<number>;
  rows_total: number | null;
  created: Generated<number>;
  merged: Generated<number>;
  warnings: Generated<number>;
  rejected: Generated<number>;
  report: string | null;
  errors_path: string | null;
  error: string | null;
  created_by_type: string;
  created_by_id: string | null;
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
  cancel_requested_at: string | null;
  finished_at: string | null;
}

export interface ModelVersionTable {
  id: string;
  business_id: string;
  model: string; // lead_conversion | churn | deal_stall
  version: number;
  prior: number; // 1 = too little history: a built-in prior model is in use
  algorithm: string; // gbdt | logistic | blend | prior
  rows: number;
  metrics: string; // JSON
  artifact: string | null; // JSON SavedModel (null for a prior)
  trained_at: string;
}

/** One intake classification (detail: JSON {confidences, reasons, provider}); status auto | review | corrected | confirmed. */
export interface IntakeClassificationTable {
  id: string;
  business_id: string;
  contact_id: string | null;
  interaction_id: string | null;
  source: string; // api | inbound | cli
  text: string;
  urgency: string;
  intent: string;
  service_type: string | null;
  confidence: number;
  detail: string;
  model_version: string;
  status: string;
  corrected_urgency: string | null;
  corrected_intent: string | null;
  corrected_service_type: string | null;
  corrected_by: string | null;
  corrected_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A reply drafted for a contact (detail: JSON {provider, model, fallbackReason, to}); status pending | approved | discarded | sent. */
export interface DraftTable {
  id: string;
  business_id: string;
  contact_id: string;
  interaction_id: string | null;
  classification_id: string | null;
  kind: string; // the intent it answers: auto-send is switched on per kind
  channel: string; // sms | email
  subject: string | null;
  body: string;
  source: string; // template | llm
  detail: string;
  status: string;
  outbox_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  intake_classifications: IntakeClassificationTable;
  drafts: DraftTable;
  businesses: BusinessTable;
  users: UserTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  contacts: ContactTable;
  contact_identities: ContactIdentityTable;
  contact_tags: ContactTagTable;
  consents: ConsentTable;
  companies: CompanyTable;
  contact_companies: ContactCompanyTable;
  interactions: InteractionTable;
  jobs: JobTable;
  deals: DealTable;
  tasks: TaskTable;
  reviews: ReviewTable;
  events: EventTable;
  audit_log: AuditTable;
  automations: AutomationTable;
  automation_versions: AutomationVersionTable;
  enrollments: EnrollmentTable;
  enrollment_log: EnrollmentLogTable;
  outbox: OutboxTable;
  approvals: ApprovalTable;
  suppressions: SuppressionTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_deliveries: WebhookDeliveryTable;
  model_versions: ModelVersionTable;
  event_cursors: EventCursorTable;
  technician_schedules: TechnicianScheduleTable;
  booking_settings: BookingSettingsTable;
  booking_slot_claims: BookingSlotClaimTable;
  voice_calls: VoiceCallTable;
  business_numbers: BusinessNumberTable;
  business_channels: BusinessChannelsTable;
  sms_senders: SmsSenderTable;
  unsubscribe_tokens: UnsubscribeTokenTable;
  alert_rules: AlertRuleTable;
  alert_events: AlertEventTable;
  exception_dismissals: ExceptionDismissalTable;
  import_jobs: ImportJobTable;
}
