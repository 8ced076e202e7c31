import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { apiCall, eventually, logIn, shot, useDashboard } from './helpers.ts';

interface Me { user: { id: string; name: string }; business: { timeZone: string } }
interface User { id: string; name: string; role: string; email: string }
interface Contact { id: string; name: string; phones: Array<{ number: string; label?: string }>; email: string | null; source: string | null; lifecycleStage: string; tags: string[]; ownerUserId: string | null; timeZone: string | null; address: Record<string, string> }
interface Task { id: string; title: string; status: string; dueAt: string | null; assigneeUserId: string | null; contactId: string | null }
interface Job { id: string; contactId: string | null; technicianUserId: string | null; scheduledStart: string | null; scheduledEnd: string | null; serviceType: string; status: string }
type List<T> = { data: T[] };

const widths = [
  { label: 'phone', viewport: { width: 390, height: 844 } },
  { label: 'desktop', viewport: { width: 1280, height: 900 } },
];

/**
 * Running the day's records from the dashboard in real Chromium against a
 * real `kinetic start` (demo business, SQLite): contacts, notes, tasks and
 * the technicians' calendar, at phone and desktop widths. Every change is
 * checked in the API, not only on screen.
 */
describe('records in Chromium', { timeout: 600_000 }, () => {
  const dash = useDashboard();

  for (const [n, { label, viewport }] of widths.entries()) {
    describe(`at ${label} width`, () => {
      let context: BrowserContext;
      let page: Page;
      let me: Me;
      let zone: string;
      let team: User[];
      let contact: Contact;
      const get = <T,>(url: string) => apiCall<T>(context, dash.kinetic.url, 'GET', url);
      const post = <T,>(url: string, body: unknown) => apiCall<T>(context, dash.kinetic.url, 'POST', url, body);
      const name = `Rena ${label === 'phone' ? 'Phoneby' : 'Deskwell'}`;

      test('New contact: the API\'s message appears at the phone field, then the contact is created with every field', async () => {
        context = await dash.browser.newContext({ viewport });
        page = await logIn(context, dash.kinetic.url);
        me = await get<Me>('/me');
        zone = me.business.timeZone;
        team = (await get<List<User>>('/users')).data;
        const manager = team.find((u) => u.role === 'manager')!;

        await page.goto(`${dash.kinetic.url}/app/contacts`);
        await page.getByRole('button', { name: 'New contact' }).click();
        await page.locator('#new-contact-name').fill(name);
        await page.locator('#new-contact-phone-0').fill('12');
        await page.locator('#new-contact-email').fill(`rena.${label}@example.com`);
        await page.locator('#new-contact-address-line1').fill('12 Elm St');
        await page.locator('#new-contact-address-city').fill('Austin');
        await page.locator('#new-contact-address-region').fill('TX');
        await page.locator('#new-contact-address-postalCode').fill('78701');
        await page.locator('#new-contact-source').fill('referral');
        await page.locator('#new-contact-stage').selectOption('lead');
        await page.locator('#new-contact-tags').fill('vip, Duct Cleaning');
        await page.locator('#new-contact-owner').selectOption({ label: `${manager.name} (manager)` });
        await page.getByRole('button', { name: 'Create contact' }).click();
        const phoneError = page.getByTestId('new-contact-phone-0-error');
        await phoneError.waitFor();
        assert.match((await phoneError.textContent()) ?? '', /"12" is not a valid phone number/);
        assert.equal(await page.locator('#new-contact-phone-0').getAttribute('aria-invalid'), 'true');
        assert.equal((await get<List<Contact>>(`/contacts?q=${encodeURIComponent(name)}`)).data.length, 0, 'nothing was created');
        await shot(page, `records-${label}-01-new-contact-error`);

        await page.locator('#new-contact-phone-0').fill(`512-555-01${50 + n}`);
        await page.getByRole('button', { name: 'Create contact' }).click();
        await page.getByRole('heading', { name, level: 1 }).waitFor();
        const [created] = (await get<List<Contact>>(`/contacts?q=${encodeURIComponent(name)}`)).data;
        contact = await get<Contact>(`/contacts/${created.id}`);
        assert.deepEqual(contact.phones.map((p) => p.number), [`+151255501${50 + n}`]);
        assert.equal(contact.email, `rena.${label}@example.com`);
        assert.deepEqual({ line1: contact.address.line1, city: contact.address.city, region: contact.address.region, postalCode: contact.address.postalCode }, { line1: '12 Elm St', city: 'Austin', region: 'TX', postalCode: '78701' });
        assert.equal(contact.source, 'referral');
        assert.deepEqual([...contact.tags].sort(), ['duct cleaning', 'vip']);
        assert.equal(contact.ownerUserId, manager.id);
        assert.equal(page.url(), `${dash.kinetic.url}/app/contacts/${contact.id}`);
        await shot(page, `records-${label}-02-contact-created`);
      });

      test('Edit contact: a bad time zone is refused at its field; stage, phones, tags, owner and time zone are saved', async () => {
        await page.getByRole('button', { name: 'Edit', exact: true }).click();
        await page.locator('#edit-contact-stage').selectOption('customer');
        await page.getByRole('button', { name: 'Add a phone' }).click();
        await page.locator('#edit-contact-phone-1').fill('512-555-0199');
        await page.locator('#edit-contact-phone-1-label').fill('office');
        await page.locator('#edit-contact-tags').fill('vip, maintenance plan');
        await page.locator('#edit-contact-owner').selectOption({ label: `${me.user.name} (owner)` });
        await page.locator('#edit-contact-time-zone').fill('Mars/Olympus');
        await page.getByRole('button', { name: 'Save contact' }).click();
        const tzError = page.getByTestId('edit-contact-time-zone-error');
        await tzError.waitFor();
        assert.match((await tzError.textContent()) ?? '', /not a known IANA time zone/);
        assert.equal((await get<Contact>(`/contacts/${contact.id}`)).lifecycleStage, 'lead', 'a refused edit changes nothing');
        await shot(page, `records-${label}-03-edit-contact-error`);

        await page.locator('#edit-contact-time-zone').fill('America/Denver');
        await page.getByRole('button', { name: 'Save contact' }).click();
        await page.getByTestId('contact-summary').waitFor();
        const edited = await get<Contact>(`/contacts/${contact.id}`);
        assert.equal(edited.lifecycleStage, 'customer');
        assert.deepEqual(edited.phones.map((p) => [p.number, p.label ?? null]), [[contact.phones[0].number, null], ['+15125550199', 'office']]);
        assert.deepEqual([...edited.tags].sort(), ['maintenance plan', 'vip']);
        assert.equal(edited.ownerUserId, me.user.id);
        assert.equal(edited.timeZone, 'America/Denver');
        const summary = (await page.getByTestId('contact-summary').textContent()) ?? '';
        assert.match(summary, /\+15125550199 \(office\)/);
        assert.match(summary, /customer/);
        assert.match(summary, /America\/Denver/);
        contact = edited;
        await shot(page, `records-${label}-04-contact-edited`);
      });

      test('a note, and a task created, edited and completed on the contact', async () => {
        const note = `Gate code 44${n}; dog is friendly`;
        await page.locator('#note-body').fill(note);
        await page.getByRole('button', { name: 'Add note' }).click();
        await page.getByTestId('timeline').getByText(note).waitFor();
        const notes = (await get<List<{ body: string; kind: string }>>(`/interactions?contactId=${contact.id}&kind=note`)).data;
        assert.deepEqual(notes.map((i) => i.body), [note]);

        const tech = team.find((u) => u.role === 'technician')!;
        const due = DateTime.now().setZone(zone).plus({ days: 2 }).startOf('day');
        await page.getByRole('button', { name: 'New task' }).click();
        await page.locator('#new-task-title').fill('Send the duct cleaning quote');
        await page.locator('#new-task-due-date').fill(due.toFormat('yyyy-LL-dd'));
        await page.locator('#new-task-due-time').fill('10:30');
        await page.locator('#new-task-assignee').selectOption({ label: tech.name });
        await page.getByRole('button', { name: 'Add task' }).click();
        const item = page.getByTestId('task').filter({ hasText: 'Send the duct cleaning quote' });
        await item.waitFor();
        const [task] = (await get<List<Task>>(`/tasks?contactId=${contact.id}`)).data;
        assert.equal(task.title, 'Send the duct cleaning quote');
        assert.equal(task.assigneeUserId, tech.id);
        assert.equal(task.dueAt, due.set({ hour: 10, minute: 30 }).toUTC().toISO(), 'due at 10:30 in the business time zone');
        await shot(page, `records-${label}-05-contact-task`);

        await item.getByRole('button', { name: 'Edit Send the duct cleaning quote' }).click();
        await page.locator(`#task-${task.id}-title`).fill('Send the duct cleaning quote (two systems)');
        await page.locator(`#task-${task.id}-assignee`).selectOption({ label: me.user.name });
        await page.getByRole('button', { name: 'Save task' }).click();
        const renamed = page.getByTestId('task').filter({ hasText: 'Send the duct cleaning quote (two systems)' });
        await renamed.waitFor();
        const afterEdit = await get<Task>(`/tasks/${task.id}`);
        assert.equal(afterEdit.title, 'Send the duct cleaning quote (two systems)');
        assert.equal(afterEdit.assigneeUserId, me.user.id);

        await renamed.getByRole('button', { name: /^Complete / }).click();
        await eventually(() => get<Task>(`/tasks/${task.id}`), (t) => t.status === 'done');
        await page.getByText('1 done').waitFor();
        assert.equal(await page.getByTestId('task').filter({ hasText: 'two systems' }).getByRole('button', { name: /^Complete / }).count(), 0, 'a done task offers no Complete');
        await shot(page, `records-${label}-06-contact-task-done`);
      });

      test('Tasks: my open tasks by default, filtered by assignee and due window, completed from the list', async () => {
        const manager = team.find((u) => u.role === 'manager')!;
        const today = DateTime.now().setZone(zone).startOf('day');
        const tag = `T${label}`;
        const task = (title: string, dueAt: DateTime, assigneeUserId: string) => post<Task>('/tasks', { title: `${tag} ${title}`, dueAt: dueAt.toUTC().toISO(), assigneeUserId, contactId: contact.id });
        await task('overdue call', DateTime.now().minus({ days: 1 }), me.user.id);
        await task('today visit', today.plus({ hours: 23, minutes: 59 }), me.user.id);
        const upcoming = await task('upcoming follow-up', today.plus({ days: 3, hours: 9 }), me.user.id);
        await task('manager review', today.plus({ hours: 23, minutes: 59 }), manager.id);
        const shown = async () => {
          await page.getByTestId('task-list').or(page.getByText(/^No (open|completed) tasks here\.$/)).first().waitFor();
          const titles = await page.getByTestId('task').locator('strong').allTextContents();
          return titles.filter((t) => t.startsWith(tag)).map((t) => t.slice(tag.length + 1)).sort();
        };

        // On a phone the menu is folded away first.
        if (viewport.width < 760) await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
        await page.getByRole('heading', { name: 'My tasks' }).waitFor();
        await eventually(shown, (t) => t.length === 3);
        assert.deepEqual(await shown(), ['overdue call', 'today visit', 'upcoming follow-up']);
        await shot(page, `records-${label}-07-my-tasks`);

        // A filter change is one request (live events can reload the list too): the list is read once the answer to the
        // request for this filter is on screen.
        const choose = async (label: string, option: string | { label: string }, asked: (q: URLSearchParams) => boolean) => {
          const answered = page.waitForResponse((r) => {
            const u = new URL(r.url());
            return u.pathname === '/tasks' && asked(u.searchParams);
          });
          await page.getByLabel(label, { exact: true }).selectOption(option);
          await answered;
          await page.evaluate('new Promise((done) => requestAnimationFrame(() => done(null)))');
          return shown();
        };
        const dueWindow = (q: URLSearchParams) => (q.has('dueBefore') ? 'b' : '') + (q.has('dueAfter') ? 'a' : '');
        assert.deepEqual(await choose('Due', 'overdue', (q) => dueWindow(q) === 'b'), ['overdue call']);
        assert.deepEqual(await choose('Due', 'today', (q) => dueWindow(q) === 'ba'), ['today visit']);
        assert.deepEqual(await choose('Due', 'upcoming', (q) => dueWindow(q) === 'a'), ['upcoming follow-up']);
        await shot(page, `records-${label}-08-upcoming-tasks`);
        await choose('Due', '', (q) => dueWindow(q) === '');
        assert.deepEqual(await choose('Assigned to', { label: manager.name }, (q) => q.get('assigneeUserId') === manager.id), ['manager review']);
        await page.getByRole('heading', { name: `${manager.name}'s tasks` }).waitFor();

        assert.deepEqual(await choose('Assigned to', { label: 'Me' }, (q) => q.get('assigneeUserId') === me.user.id), ['overdue call', 'today visit', 'upcoming follow-up']);
        await page.getByRole('button', { name: `Complete ${tag} upcoming follow-up` }).click();
        await eventually(shown, (t) => !t.includes('upcoming follow-up'));
        assert.equal((await get<Task>(`/tasks/${upcoming.id}`)).status, 'done');
        assert.deepEqual(await shown(), ['overdue call', 'today visit']);
        assert.deepEqual(await choose('Status', 'done', (q) => q.get('status') === 'done'), ['upcoming follow-up']);
        await shot(page, `records-${label}-09-tasks-done`);
      });

      test('Schedule: a job created from an empty slot, opened and moved; a double booking is refused with the API\'s message; reassigned; week view per technician', async () => {
        const [techA, techB] = team.filter((u) => u.role === 'technician');
        // A day with no jobs yet for these two, well ahead of the demo's own bookings.
        const day = DateTime.now().setZone(zone).startOf('day').plus({ days: 60 + n * 7 });
        const onDay = async (techId: string) => (await get<List<Job>>(`/jobs?technicianUserId=${techId}&scheduledAfter=${encodeURIComponent(day.toUTC().toISO()!)}&scheduledBefore=${encodeURIComponent(day.plus({ days: 1 }).toUTC().toISO()!)}`)).data;
        assert.deepEqual([...(await onDay(techA.id)), ...(await onDay(techB.id))], []);

        await page.goto(`${dash.kinetic.url}/app/schedule`);
        await page.getByRole('button', { name: 'Day', exact: true }).click();
        await page.getByLabel('Go to date').fill(day.toFormat('yyyy-LL-dd'));
        await page.getByRole('heading', { name: day.toFormat('cccc, LLLL d, yyyy') }).waitFor();
        assert.match((await page.getByTestId('schedule-zone').textContent()) ?? '', new RegExp(`Times in ${zone.replace('/', '\\/')} \\(`));
        await page.getByTestId('day-view').getByRole('columnheader', { name: techA.name }).waitFor();

        await page.getByRole('button', { name: `New job at 9:00 AM for ${techA.name}` }).click();
        await page.locator(`#new-job-technician option[value="${techA.id}"]`).waitFor({ state: 'attached' });
        assert.equal(await page.locator('#new-job-technician').inputValue(), techA.id, 'the slot\'s technician is chosen');
        assert.equal(await page.locator('#new-job-time').inputValue(), '09:00');
        await page.locator('#new-job-customer').fill(name);
        await page.getByRole('list', { name: 'Matching contacts' }).getByRole('button', { name: new RegExp(name) }).click();
        const service = (await page.locator('#new-job-service option').first().getAttribute('value'))!;
        await page.locator('#new-job-duration').fill('90');
        await page.getByRole('button', { name: 'Create job' }).click();
        const block = page.getByTestId('day-view').getByTestId('cal-job').filter({ hasText: name });
        await block.waitFor();
        const [job] = await onDay(techA.id);
        assert.equal(job.contactId, contact.id);
        assert.equal(job.serviceType, service);
        assert.equal(job.scheduledStart, day.set({ hour: 9 }).toUTC().toISO());
        assert.equal(job.scheduledEnd, day.set({ hour: 10, minute: 30 }).toUTC().toISO());
        assert.match((await block.textContent()) ?? '', /^9:00 AM/);
        await shot(page, `records-${label}-10-day-new-job`);

        // Another job of the same technician in the afternoon; moving the first onto it is refused.
        await post('/jobs', { contactId: contact.id, serviceType: service, technicianUserId: techA.id, scheduledStart: day.set({ hour: 13 }).toUTC().toISO(), scheduledEnd: day.set({ hour: 14 }).toUTC().toISO() });
        await eventually(() => block.count(), (c) => c === 2);
        await block.first().click();
        await page.locator('#edit-job-time').fill('13:30');
        await page.getByRole('button', { name: 'Save job' }).click();
        const refusal = page.getByRole('alert').filter({ hasText: 'already has a job at that time' });
        await refusal.waitFor();
        assert.match((await refusal.textContent()) ?? '', new RegExp(`^${techA.name} already has a job at that time: .* for ${name}, .*1:00 PM–2:00 PM`));
        assert.equal((await get<Job>(`/jobs/${job.id}`)).scheduledStart, job.scheduledStart, 'the refused move changed nothing');
        await shot(page, `records-${label}-11-double-booking-refused`);

        await page.locator('#edit-job-time').fill('11:00');
        await page.getByRole('button', { name: 'Save job' }).click();
        await page.locator('#edit-job-time').waitFor({ state: 'detached' });
        const moved = await get<Job>(`/jobs/${job.id}`);
        assert.equal(moved.scheduledStart, day.set({ hour: 11 }).toUTC().toISO());
        assert.equal(moved.scheduledEnd, day.set({ hour: 12, minute: 30 }).toUTC().toISO(), 'the duration is kept');
        await eventually(async () => (await block.first().textContent()) ?? '', (t) => t.startsWith('11:00 AM'));

        await block.first().click();
        await page.locator('#edit-job-technician').selectOption(techB.id);
        await page.locator('#edit-job-status').selectOption('scheduled');
        await page.getByRole('button', { name: 'Save job' }).click();
        await page.getByTestId(`lane-${techB.name}`).getByTestId('cal-job').filter({ hasText: name }).waitFor();
        assert.equal((await get<Job>(`/jobs/${job.id}`)).technicianUserId, techB.id);
        await shot(page, `records-${label}-12-day-reassigned`);

        await page.getByRole('button', { name: 'Week', exact: true }).click();
        const rowB = page.getByTestId(`row-${techB.name}`);
        await rowB.getByTestId('cal-job').filter({ hasText: name }).waitFor();
        const cell = rowB.getByRole('cell', { name: `${techB.name}, ${day.toFormat('ccc LLL d')}` });
        assert.match((await cell.textContent()) ?? '', new RegExp(`11:00 AM ${name}`));
        assert.equal(await page.getByTestId(`row-${techA.name}`).getByTestId('cal-job').filter({ hasText: name }).count(), 1, 'the afternoon job stays with the first technician');
        await shot(page, `records-${label}-13-week`);

        // A job from the week's empty cell: the day and technician come with it.
        await page.getByRole('button', { name: `New job on ${day.plus({ days: 1 }).toFormat('ccc LLL d')} for ${techB.name}` }).click();
        await page.locator(`#new-job-technician option[value="${techB.id}"]`).waitFor({ state: 'attached' });
        assert.equal(await page.locator('#new-job-date').inputValue(), day.plus({ days: 1 }).toFormat('yyyy-LL-dd'));
        assert.equal(await page.locator('#new-job-technician').inputValue(), techB.id);
        await page.getByRole('button', { name: 'Cancel' }).click();
        await context.close();
      });
    });
  }

  test('a technician is offered only what their role may do: notes and their own tasks and jobs, no new or edited contacts, no new jobs', async () => {
    const owner = await dash.browser.newContext();
    await logIn(owner, dash.kinetic.url);
    const tech = (await apiCall<List<User>>(owner, dash.kinetic.url, 'GET', '/users')).data.filter((u) => u.role === 'technician')[0];
    const [theirJob] = (await apiCall<List<Job>>(owner, dash.kinetic.url, 'GET', `/jobs?technicianUserId=${tech.id}&limit=500`)).data.filter((j) => j.contactId);
    const theirTask = await apiCall<Task>(owner, dash.kinetic.url, 'POST', '/tasks', { title: 'Bring the filter samples', assigneeUserId: tech.id, contactId: theirJob.contactId });
    await apiCall(owner, dash.kinetic.url, 'POST', `/users/${tech.id}/password-reset`);
    await owner.close();
    const db = new Database(path.join(dash.kinetic.dataDir, 'kinetic.db'), { readonly: true });
    const mail = db.prepare('select body from outbox where to_address = ? order by created_at desc limit 1').get(tech.email) as { body: string };
    db.close();
    const link = /(http\S+reset-password#token=[\w-]+)/.exec(mail.body)![1];

    const context = await dash.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(link.replace(/^https?:\/\/[^/]+/, dash.kinetic.url));
    await page.getByLabel('New password').fill('torque-wrench-and-gauges');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set.').waitFor();
    await page.goto(`${dash.kinetic.url}/app`);
    await page.getByLabel('Email').fill(tech.email);
    await page.getByLabel('Password').fill('torque-wrench-and-gauges');
    await page.getByRole('button', { name: 'Log in' }).click();
    // A technician's first screen is Contacts (there is no Today for them).
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.getByTestId('contacts-table').getByRole('link').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'New contact' }).count(), 0, 'no New contact for a technician');

    await page.goto(`${dash.kinetic.url}/app/contacts/${theirJob.contactId}`);
    await page.getByRole('heading', { name: 'Add a note' }).waitFor();
    await page.getByTestId('task').filter({ hasText: 'Bring the filter samples' }).waitFor();
    for (const refused of ['Edit', 'New task', 'New job']) assert.equal(await page.getByRole('button', { name: refused, exact: true }).count(), 0, `no ${refused} for a technician`);
    const note = 'Checked the condensate line';
    await page.locator('#note-body').fill(note);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('timeline').getByText(note).waitFor();
    await shot(page, 'records-technician-contact');

    await page.goto(`${dash.kinetic.url}/app/tasks`);
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    assert.equal(await page.getByLabel('Assigned to', { exact: true }).count(), 0, 'a technician sees only their own tasks, with no assignee choice');
    assert.equal(await page.getByRole('button', { name: 'New task' }).count(), 0);
    await page.getByRole('button', { name: 'Complete Bring the filter samples' }).click();
    await eventually(() => apiCall<Task>(context, dash.kinetic.url, 'GET', `/tasks/${theirTask.id}`), (t) => t.status === 'done');

    await page.goto(`${dash.kinetic.url}/app/schedule`);
    await page.getByTestId('schedule-zone').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New job' }).count(), 0, 'no New job for a technician');
    assert.equal(await page.getByRole('button', { name: /^New job (at|on) / }).count(), 0, 'no empty slot to book');
    const lanes = await page.getByTestId('day-view').getByRole('columnheader').allTextContents();
    assert.deepEqual(lanes.filter(Boolean), [tech.name], 'one lane: their own');
    await shot(page, 'records-technician-schedule');
    await context.close();
  });
});
