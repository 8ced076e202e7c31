import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

interface StreamEvent {
  seq: number;
  type: string;
  contactId: string | null;
  subjectId: string;
  payload: Record<string, unknown>;
}

/** An open text/event-stream over real HTTP: collects frames until `until` is satisfied. */
async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: Array<{ id: string | null; data: StreamEvent }> = [];
  const comments: string[] = [];
  let buffer = '';
  const pending: { waiter: { check: () => boolean; resolve: () => void } | null } = { waiter: null };
  const reader = res.body?.getReader();
  const pump = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let id: string | null = null;
        let data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) events.push({ id, data: JSON.parse(data) as StreamEvent });
      }
      if (pending.waiter?.check()) pending.waiter.resolve();
    }
  })();
  return {
    res,
    events,
    comments,
    /** Resolves once `check` holds for the frames received so far (the test runner's timeout bounds the wait). */
    waitFor: (check: () => boolean) =>
      new Promise<void>((resolve) => {
        if (check()) return resolve();
        pending.waiter = { check, resolve };
      }),
    close: async () => {
      abort.abort();
      await pump;
    },
  };
}

forEachDialect('GET /events/stream', (world) => {
  let app: FastifyInstance;
  let base: string;
  let a: ApiTenant;
  let b: ApiTenant;
  /** Contacts of A created above: none may appear in B's streams. */
  const aContactIds: string[] = [];

  before(async () => {
    app = await buildServer(world().ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    a = await makeTenant(world().ctx, 'Alpha Stream Heating');
    b = await makeTenant(world().ctx, 'Bravo Stream Plumbing');
  });
  after(async () => app?.close());

  test('needs a login or an API key', async () => {
    const res = await fetch(`${base}/events/stream`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
  });

  test("a live stream delivers the caller's new leads and never another business's events", async () => {
    const streamA = await openStream(`${base}/events/stream`, { authorization: `Bearer ${a.key}` });
    const streamB = await openStream(`${base}/events/stream`, { authorization: `Bearer ${b.key}` });
    assert.equal(streamA.res.status, 200);
    assert.match(streamA.res.headers.get('content-type') ?? '', /^text\/event-stream/);
    // The opening comment is written once the stream's cursor is set: events after it must arrive.
    await streamA.waitFor(() => streamA.comments.length > 0);
    await streamB.waitFor(() => streamB.comments.length > 0);

    // B's lead is written first: if A's stream leaked, B's event would reach A before A's own.
    const bLead = (await client(app, b.key).post('/contacts', { name: 'Bravo Secret Lead', phone: '512-555-0161' })).json();
    const aLead = (await client(app, a.key).post('/contacts', { name: 'Alpha Stream Lead', phone: '512-555-0162' })).json();
    await streamA.waitFor(() => streamA.events.some((e) => e.data.type === 'lead.created' && e.data.contactId === aLead.id));
    await streamB.waitFor(() => streamB.events.some((e) => e.data.type === 'lead.created' && e.data.contactId === bLead.id));
    await streamA.close();
    await streamB.close();

    const leadA = streamA.events.find((e) => e.data.type === 'lead.created')!;
    assert.equal(leadA.data.contactId, aLead.id);
    aContactIds.push(aLead.id);
    assert.equal(leadA.id, String(leadA.data.seq), 'each frame carries its seq as the event id (for Last-Event-ID)');
    assert.ok(streamA.events.every((e) => e.data.contactId !== bLead.id && !JSON.stringify(e.data).includes('Bravo')), "A's stream shows nothing of B");
    assert.ok(streamB.events.every((e) => e.data.contactId !== aLead.id && !JSON.stringify(e.data).includes('Alpha')), "B's stream shows nothing of A");
  });

  test("a session cookie works, and Last-Event-ID resumes after the last event seen, within the caller's business", async () => {
    const login = await client(app, null).post('/auth/login', { email: a.ownerEmail, password: a.password });
    const session = login.cookies.find((c) => c.name === 'kinetic_session')!.value;
    const first = (await client(app, a.key).post('/contacts', { name: 'Alpha Resume One' })).json();
    await client(app, b.key).post('/contacts', { name: 'Bravo Resume Secret' });
    const second = (await client(app, a.key).post('/contacts', { name: 'Alpha Resume Two' })).json();
    aContactIds.push(first.id, second.id);
    const backlog = (await client(app, a.key).get(`/events?contactId=${first.id}`)).json().data as Array<{ seq: number; type: string }>;
    const firstSeq = backlog.find((e) => e.type === 'lead.created')!.seq;

    const resumed = await openStream(`${base}/events/stream`, { cookie: `kinetic_session=${session}`, 'last-event-id': String(firstSeq) });
    assert.equal(resumed.res.status, 200);
    await resumed.waitFor(() => resumed.events.some((e) => e.data.contactId === second.id));
    await resumed.close();
    assert.ok(resumed.events.every((e) => e.data.seq > firstSeq), 'nothing at or before the resume point');
    assert.ok(!resumed.events.some((e) => e.data.contactId === first.id));
    assert.ok(resumed.events.every((e) => !JSON.stringify(e.data).includes('Bravo')));
  });

  test('follow=false returns the backlog after a seq and ends; B never sees A in it', async () => {
    const res = await client(app, b.key).get('/events/stream?follow=false&afterSeq=0');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/event-stream/);
    const frames = res.body.split('\n\n').filter((f) => f.includes('data: '));
    assert.ok(frames.length >= 2, res.body);
    assert.equal(aContactIds.length, 3);
    for (const id of [...aContactIds, a.scope.businessId]) assert.ok(!res.body.includes(id), `B's backlog shows A's ${id}`);
    const bad = await client(app, b.key).get('/events/stream?follow=false&afterSeq=-1');
    assert.equal(bad.statusCode, 400);
    // HEAD answers with the stream's headers and ends (it never holds a connection open).
    const head = await app.inject({ method: 'HEAD', url: '/events/stream', headers: { authorization: `Bearer ${b.key}` } });
    assert.equal(head.statusCode, 200);
    assert.match(head.headers['content-type'] as string, /^text\/event-stream/);
    assert.equal(head.body, '');
  });
});
