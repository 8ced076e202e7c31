import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { bookSlot } from '../../booking/book.ts';
import { findAvailability } from '../../booking/find-slots.ts';
import { bookingUrl } from '../../booking/links.ts';
import { renderBookingPage, renderCancelledPage, renderConfirmedPage, renderErrorPage } from '../../booking/page.ts';
import { bookFromLink, cancelBooking, openBookingLink, pageService, publicSlots, rescheduleBooking, upcomingBookings, type OpenedLink } from '../../booking/public.ts';
import { getTechnicianSchedule, setTechnicianSchedule } from '../../booking/schedules.ts';
import { getBookingSettings, updateBookingSettings } from '../../booking/settings.ts';
import { getContact } from '../../crm/contacts/contacts.ts';
import { AppError } from '../../lib/errors.ts';
import { scopeOf } from '../auth.ts';
import { toAppError } from '../errors.ts';
import { idParams } from './resources.ts';

const tags = ['Booking'];
const id = (req: FastifyRequest) => (req.params as { id: string }).id;
const tokenParams = z.object({ token: z.string().min(1).max(100) });
const tokenOf = (req: FastifyRequest) => (req.params as { token: string }).token;

/** Authenticated booking routes: availability, links, technician schedules, settings. */
function registerStaffRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/availability',
    { schema: { tags, summary: 'Free slots for a service (technician, start, end)', querystring: z.object({ serviceType: z.string(), from: z.string().optional(), to: z.string().optional(), technicianId: z.string().optional() }) } },
    async (req) => ({ data: await findAvailability(ctx, scopeOf(req), req.query) }),
  );
  app.post('/contacts/:id/booking-link', { schema: { tags, summary: "A signed link to the contact's booking page (no login)", params: idParams } }, async (req) => {
    const scope = scopeOf(req);
    const contact = await getContact(ctx, scope, id(req));
    return { url: bookingUrl(ctx, scope.businessId, contact.id) };
  });
  app.post(
    '/contacts/:id/bookings',
    { schema: { tags, summary: 'Book for a contact (office, phone): { serviceType, start, technicianId?, notes? }; 409 with fresh slots if taken', params: idParams } },
    async (req, reply) => {
      const scope = scopeOf(req);
      const contact = await getContact(ctx, scope, id(req));
      return reply.code(201).send(await bookSlot(ctx, scope.businessId, contact.id, req.body ?? {}, { actor: scope.actor }));
    },
  );
  app.get('/users/:id/schedule', { schema: { tags, summary: "A technician's working hours and days off", params: idParams } }, (req) => getTechnicianSchedule(ctx, scopeOf(req), id(req)));
  app.put(
    '/users/:id/schedule',
    { schema: { tags, summary: "Replace a technician's working hours (null: business hours) and days off", params: idParams, body: z.object({ weeklyHours: z.unknown(), daysOff: z.array(z.string()).optional() }) } },
    (req) => setTechnicianSchedule(ctx, scopeOf(req), id(req), req.body),
  );
  app.get('/booking/settings', { schema: { tags, summary: 'Buffer between jobs, slot step, minimum notice, horizon' } }, (req) => getBookingSettings(ctx, scopeOf(req)));
  app.put('/booking/settings', { schema: { tags, summary: 'Change booking settings (any subset)' } }, (req) => updateBookingSettings(ctx, scopeOf(req), req.body));
}

const sendHtml = (reply: FastifyReply, status: number, html: string) =>
  reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer') // the token is the credential: never leak it to other sites
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(html);

const wantsJson = (req: FastifyRequest) => /application\/json/i.test(req.headers['content-type'] ?? '') || /application\/json/i.test(req.headers.accept ?? '');

interface PageOptions {
  alert?: string;
  slots?: Array<{ start: string; end: string }>;
  rescheduleJobId?: string;
}

async function bookingPage(ctx: AppContext, link: OpenedLink, serviceKey: string | undefined, o: PageOptions = {}): Promise<string> {
  const { selected, alert } = pageService(link.business, serviceKey);
  const upcoming = await upcomingBookings(ctx, link);
  const rescheduleJobId = upcoming.some((j) => j.id === o.rescheduleJobId) ? o.rescheduleJobId : undefined;
  const slots = selected ? (o.slots ?? (await publicSlots(ctx, link, selected.key, undefined, rescheduleJobId))) : [];
  return renderBookingPage({ business: link.business, contactName: link.contact.firstName ?? link.contact.name, token: link.token, selected, slots, upcoming, alert: o.alert ?? alert, rescheduleJobId });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The booking request without the page's own field (which booking to move). */
function splitBody(body: unknown): { rescheduleJobId?: string; request: Record<string, unknown> } {
  const { rescheduleJobId, ...request } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { rescheduleJobId: str(rescheduleJobId), request };
}

async function book(ctx: AppContext, link: OpenedLink, body: unknown) {
  const { rescheduleJobId, request } = splitBody(body);
  if (rescheduleJobId) return { ...(await rescheduleBooking(ctx, link, rescheduleJobId, request)), moved: true };
  return { ...(await bookFromLink(ctx, link, request)), moved: false };
}

/**
 * The public booking pages under /book/:token. The signed token is the only
 * credential. People get HTML (errors as pages with the right status);
 * callers that send or accept JSON get JSON.
 */
function registerPublicRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.register(async (scoped) => {
    await scoped.register(formbody);
    const htmlErrors = async (req: FastifyRequest, reply: FastifyReply, run: (link: OpenedLink | null) => Promise<unknown>) => {
      let link: OpenedLink | null = null;
      try {
        link = await openBookingLink(ctx, tokenOf(req));
        return await run(link);
      } catch (err) {
        const e = toAppError(err as Error);
        if (e.code === 'INTERNAL') throw err;
        if (!link) return sendHtml(reply, e.httpStatus, renderErrorPage(e.code === 'FORBIDDEN' ? 'This link does not work' : 'Not found', e.message));
        const slots = e.code === 'CONFLICT' ? (e.details as { slots?: Array<{ start: string; end: string }> }).slots : undefined;
        const body = (req.body ?? {}) as Record<string, unknown>;
        const query = (req.query ?? {}) as Record<string, unknown>;
        return sendHtml(reply, e.httpStatus, await bookingPage(ctx, link, str(body.serviceType) ?? str(query.service), { alert: e.message, slots, rescheduleJobId: str(body.rescheduleJobId) ?? str(query.reschedule) }));
      }
    };

    scoped.get('/book/:token', { schema: { tags, summary: 'The booking page for the contact the signed link was made for (HTML)', params: tokenParams } }, (req, reply) =>
      htmlErrors(req, reply, async (link) => {
        const query = req.query as { service?: unknown; reschedule?: unknown };
        return sendHtml(reply, 200, await bookingPage(ctx, link!, str(query.service), { rescheduleJobId: str(query.reschedule) }));
      }),
    );

    scoped.get('/book/:token/slots', { schema: { tags, summary: 'Next free start times for a service (JSON)', params: tokenParams, querystring: z.object({ serviceType: z.string() }) } }, async (req) => {
      const link = await openBookingLink(ctx, tokenOf(req));
      const serviceType = (req.query as { serviceType?: unknown }).serviceType;
      if (typeof serviceType !== 'string' || !serviceType) throw new AppError('VALIDATION_FAILED', 'serviceType: is required', { issues: [{ field: 'serviceType', message: 'is required' }] });
      return { timeZone: link.business.timeZone, serviceType, data: await publicSlots(ctx, link, serviceType) };
    });

    scoped.post(
      '/book/:token',
      { schema: { tags, summary: 'Book a time: { serviceType, start, notes?, rescheduleJobId? } (form or JSON); 409 with fresh slots if it was just taken', params: tokenParams } },
      async (req, reply) => {
        if (wantsJson(req)) {
          const { moved: _moved, ...result } = await book(ctx, await openBookingLink(ctx, tokenOf(req)), req.body);
          return reply.code(201).send(result);
        }
        return htmlErrors(req, reply, async (link) => {
          const result = await book(ctx, link!, req.body);
          return sendHtml(reply, 201, renderConfirmedPage(link!.business, link!.token, result.job, result.technicianName, result.moved));
        });
      },
    );

    scoped.post('/book/:token/cancel', { schema: { tags, summary: 'Cancel an upcoming online booking: { jobId }', params: tokenParams } }, async (req, reply) => {
      const jobId = (req.body as { jobId?: unknown } | undefined)?.jobId;
      if (wantsJson(req)) {
        const link = await openBookingLink(ctx, tokenOf(req));
        return { job: await cancelBooking(ctx, link, jobId) };
      }
      return htmlErrors(req, reply, async (link) => {
        await cancelBooking(ctx, link!, jobId);
        return sendHtml(reply, 200, renderCancelledPage(link!.business, link!.token));
      });
    });
  });
}

export function registerBookingRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerStaffRoutes(app, ctx);
  registerPublicRoutes(app, ctx);
}
