import { reviews } from '../../crm/reviews/reviews.ts';
import { recordChange } from '../../crm/shared/audit.ts';
import { event } from '../../events/record.ts';
import type { StepContext, StepRunner } from './types.ts';

/** The job the enrolment is about: the one its trigger named. */
function jobIdOf(sc: StepContext): string | null {
  const trigger = sc.vars.trigger as { jobId?: unknown } | undefined;
  return typeof trigger?.jobId === 'string' ? trigger.jobId : null;
}

/**
 * Changes the enrolment's job: `confirm` records that the customer confirmed
 * the appointment (jobs.confirmed_at); `status` marks a no-show or a
 * cancellation, with the same events a person's change would write.
 */
export const updateJob: StepRunner<'update_job'> = async (step, sc) => {
  const jobId = jobIdOf(sc);
  const job = jobId ? await sc.trx.selectFrom('jobs').selectAll().where('business_id', '=', sc.business.id).where('id', '=', jobId).executeTakeFirst() : undefined;
  if (!job) return { next: 'continue', outcome: 'skipped', detail: { reason: 'the enrolment has no job' } };
  const now = sc.now.toISOString();
  const set: { confirmed_at?: string; status?: string; updated_at: string } = { updated_at: now };
  if (step.confirm && !job.confirmed_at) set.confirmed_at = now;
  if (step.status && job.status !== step.status) set.status = step.status;
  if (Object.keys(set).length === 1) return { next: 'continue', outcome: 'unchanged', detail: { jobId } };
  await sc.trx.updateTable('jobs').set(set).where('business_id', '=', sc.business.id).where('id', '=', job.id).execute();
  const events = set.status === 'no_show'
    ? [event('job.no_show', { jobId: job.id, contactId: job.contact_id })]
    : set.status === 'cancelled'
      ? [event('job.cancelled', { jobId: job.id, contactId: job.contact_id })]
      : [];
  const changed = Object.keys(set).filter((k) => k !== 'updated_at');
  await recordChange(sc.trx, sc.scope, now, {
    entityType: 'job',
    entityId: job.id,
    action: 'update',
    before: { confirmedAt: job.confirmed_at, status: job.status },
    after: { confirmedAt: set.confirmed_at ?? job.confirmed_at, status: set.status ?? job.status },
    events: [event('job.updated', { jobId: job.id, contactId: job.contact_id, changed: changed.map((c) => (c === 'confirmed_at' ? 'confirmedAt' : c)) }), ...events],
  });
  return { next: 'continue', outcome: 'job_updated', detail: { jobId, changed } };
};

/** Records that a review was asked for (review velocity counts requests → reviews); the id lands in vars.reviewRequestId. */
export const requestReview: StepRunner<'request_review'> = async (step, sc) => {
  const review = await reviews.createIn(
    sc.trx,
    sc.scope,
    { contactId: sc.enrollment.contact_id, jobId: jobIdOf(sc), platform: step.platform ?? 'google', status: 'requested' },
    sc.now.toISOString(),
  );
  sc.vars.reviewRequestId = review.id;
  return { next: 'continue', outcome: 'review_requested', detail: { reviewId: review.id, platform: review.platform } };
};

/**
 * Records the customer's reply to a review request as a received review
 * (platform "internal": what they told us directly), with the rating read
 * from the reply. Emits review.received.
 */
export const recordReview: StepRunner<'record_review'> = async (_step, sc) => {
  const reply = sc.vars.reply as { text?: string; rating?: number | null } | undefined;
  if (!reply?.text) return { next: 'continue', outcome: 'skipped', detail: { reason: 'no reply to record' } };
  const review = await reviews.createIn(
    sc.trx,
    sc.scope,
    { contactId: sc.enrollment.contact_id, jobId: jobIdOf(sc), platform: 'internal', status: 'received', rating: reply.rating ?? null, body: reply.text.slice(0, 5000) },
    sc.now.toISOString(),
  );
  return { next: 'continue', outcome: 'review_recorded', detail: { reviewId: review.id, rating: review.rating } };
};
