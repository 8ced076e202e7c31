import { DateTime } from 'luxon';
import { isBookableOnline, type Business, type Service } from '../crm/businesses/schema.ts';
import type { Job } from '../crm/jobs/jobs.ts';

/**
 * The public booking pages: server-rendered HTML, no scripts, readable on a
 * phone, usable with a keyboard and a screen reader (real form controls,
 * labels, fieldsets, an alert region for messages).
 */
export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const css = `
*{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f5f7fa}
main{max-width:36rem;margin:0 auto;padding:1rem 1rem 3rem}header{padding:1rem 0}h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.muted{color:#4a5468}.card{background:#fff;border:1px solid #d5dbe5;border-radius:.6rem;padding:1rem;margin:.75rem 0}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:600;margin-bottom:.4rem}
.slots{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.5rem,1fr));gap:.5rem}
.slot input{position:absolute;opacity:0}.slot span{display:block;text-align:center;padding:.7rem .3rem;border:2px solid #9aa6ba;border-radius:.5rem;background:#fff;cursor:pointer}
.slot input:checked+span{background:#0b5cd5;border-color:#0b5cd5;color:#fff}.slot input:focus-visible+span{outline:3px solid #f2a900;outline-offset:2px}
select,button{font:inherit;padding:.7rem;border-radius:.5rem;border:2px solid #9aa6ba;background:#fff;width:100%}
button{background:#0b5cd5;border-color:#0b5cd5;color:#fff;font-weight:600;cursor:pointer;margin-top:.5rem}button.secondary{background:#fff;color:#0b5cd5}
button:focus-visible,select:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.alert{border-left:5px solid #c0392b;background:#fff4f2;padding:.75rem 1rem;border-radius:.4rem}.ok{border-left-color:#1e8e3e;background:#effaf1}
`;

function layout(title: string, business: Pick<Business, 'name' | 'phone'> | null, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)}${business ? ` · ${esc(business.name)}` : ''}</title><style>${css}</style></head>
<body><main>
<header>${business ? `<p class="muted" style="margin:0">${esc(business.name)}${business.phone ? ` · <a href="tel:${esc(business.phone)}">${esc(business.phone)}</a>` : ''}</p>` : ''}<h1>${esc(title)}</h1></header>
${body}
</main></body></html>`;
}

const local = (iso: string, zone: string) => DateTime.fromISO(iso, { zone });
export const dayLabel = (iso: string, zone: string) => local(iso, zone).toFormat('cccc, LLLL d');
export const timeLabel = (iso: string, zone: string) => local(iso, zone).toFormat('h:mm a');
const zoneLabel = (iso: string, zone: string) => local(iso, zone).toFormat('ZZZZ');

export interface BookingPageInput {
  business: Business;
  contactName: string;
  token: string;
  selected: Service | null;
  slots: Array<{ start: string; end: string }>;
  upcoming: Job[];
  /** Shown above the form (e.g. "that time was just booked"). */
  alert?: string;
  /** Moving this upcoming booking rather than making a new one. */
  rescheduleJobId?: string;
}

function upcomingHtml(p: BookingPageInput): string {
  if (p.upcoming.length === 0) return '';
  const zone = p.business.timeZone;
  const items = p.upcoming
    .map((j) => {
      const service = p.business.services.find((s) => s.key === j.serviceType);
      const name = service?.name ?? j.serviceType;
      // A service the business now takes by phone only cannot be moved online (cancelling still works).
      const change =
        service && isBookableOnline(service)
          ? `<a href="/book/${esc(p.token)}?service=${encodeURIComponent(j.serviceType)}&amp;reschedule=${encodeURIComponent(j.id)}">Change the time</a>`
          : `To change the time, please call us${p.business.phone ? ` at <a href="tel:${esc(p.business.phone)}">${esc(p.business.phone)}</a>` : ''}.`;
      return `<div class="card"><p style="margin:0"><strong>${esc(name)}</strong><br>${esc(dayLabel(j.scheduledStart!, zone))} at ${esc(timeLabel(j.scheduledStart!, zone))} ${esc(zoneLabel(j.scheduledStart!, zone))}</p>
<p style="margin:.5rem 0 0">${change}</p>
<form method="post" action="/book/${esc(p.token)}/cancel"><input type="hidden" name="jobId" value="${esc(j.id)}"><button type="submit" class="secondary">Cancel this booking</button></form></div>`;
    })
    .join('\n');
  return `<section aria-labelledby="upcoming"><h2 id="upcoming">Your upcoming appointments</h2>${items}</section>`;
}

function slotsHtml(p: BookingPageInput): string {
  if (!p.selected) return '';
  const zone = p.business.timeZone;
  if (p.slots.length === 0) {
    return `<p class="card">No times are free for ${esc(p.selected.name)} in the next days. Please call us${p.business.phone ? ` at <a href="tel:${esc(p.business.phone)}">${esc(p.business.phone)}</a>` : ''}.</p>`;
  }
  const byDay = new Map<string, Array<{ start: string }>>();
  for (const s of p.slots) {
    const d = dayLabel(s.start, zone);
    byDay.set(d, [...(byDay.get(d) ?? []), s]);
  }
  const days = [...byDay.entries()]
    .map(
      ([day, list], i) => `<fieldset><legend>${esc(day)}</legend><div class="slots">${list
        .map((s, k) => `<label class="slot"><input type="radio" name="start" value="${esc(s.start)}" required${i === 0 && k === 0 ? ' checked' : ''}><span>${esc(timeLabel(s.start, zone))}</span></label>`)
        .join('')}</div></fieldset>`,
    )
    .join('\n');
  return `<form method="post" action="/book/${esc(p.token)}" class="card" aria-labelledby="pick">
<h2 id="pick" style="margin-top:0">Pick a ${p.rescheduleJobId ? 'new ' : ''}time for ${esc(p.selected.name)}</h2>
<p class="muted">About ${esc(p.selected.durationMinutes)} minutes. Times are ${esc(zoneLabel(p.slots[0].start, zone))} (${esc(zone)}).</p>
<input type="hidden" name="serviceType" value="${esc(p.selected.key)}">${p.rescheduleJobId ? `<input type="hidden" name="rescheduleJobId" value="${esc(p.rescheduleJobId)}">` : ''}
${days}
<label for="notes"><strong>Anything we should know?</strong> <span class="muted">(optional)</span></label>
<textarea id="notes" name="notes" maxlength="1000" rows="3" style="width:100%;font:inherit;padding:.5rem;border-radius:.5rem;border:2px solid #9aa6ba" placeholder="Gate code, pets, what is wrong…"></textarea>
<button type="submit">${p.rescheduleJobId ? 'Move my booking' : 'Confirm booking'}</button></form>`;
}

export function renderBookingPage(p: BookingPageInput): string {
  // Services the business takes by phone only (emergencies) are not offered here.
  const services = p.business.services.filter(isBookableOnline);
  const choose = services.length
    ? `<form method="get" action="/book/${esc(p.token)}" class="card"><label for="service"><strong>What do you need?</strong></label>
${p.rescheduleJobId ? `<input type="hidden" name="reschedule" value="${esc(p.rescheduleJobId)}">` : ''}<select id="service" name="service">${services.map((s) => `<option value="${esc(s.key)}"${p.selected?.key === s.key ? ' selected' : ''}>${esc(s.name)}</option>`).join('')}</select>
<button type="submit" class="secondary">Show available times</button></form>`
    : '<p class="card">Online booking is not set up yet. Please call us.</p>';
  const alert = p.alert ? `<div class="alert" role="alert">${esc(p.alert)}</div>` : '';
  return layout('Book an appointment', p.business, `<p>Hi ${esc(p.contactName)}, choose a service and a time that suits you.</p>${alert}${upcomingHtml(p)}${choose}${slotsHtml(p)}`);
}

export function renderConfirmedPage(business: Business, token: string, job: Job, technicianName: string | null, moved = false): string {
  const zone = business.timeZone;
  const name = business.services.find((s) => s.key === job.serviceType)?.name ?? job.serviceType;
  return layout(
    moved ? 'Your booking is moved' : 'You are booked',
    business,
    `<div class="alert ok" role="status"><p style="margin:0"><strong>${esc(name)}</strong><br>${esc(dayLabel(job.scheduledStart!, zone))}, ${esc(timeLabel(job.scheduledStart!, zone))}–${esc(timeLabel(job.scheduledEnd!, zone))} ${esc(zoneLabel(job.scheduledStart!, zone))}${technicianName ? `<br>Your technician: ${esc(technicianName)}` : ''}</p></div>
<p>We have sent you a confirmation${' '}by text and email where you have given us a number or address. The email has a calendar invite.</p>
<p><a href="/book/${esc(token)}">Change or cancel</a></p>`,
  );
}

export function renderCancelledPage(business: Business, token: string): string {
  return layout('Booking cancelled', business, `<div class="alert ok" role="status">Your appointment is cancelled.</div><p><a href="/book/${esc(token)}">Book another time</a></p>`);
}

export function renderErrorPage(title: string, message: string, business: Pick<Business, 'name' | 'phone'> | null = null): string {
  return layout(title, business, `<div class="alert" role="alert">${esc(message)}</div>`);
}
