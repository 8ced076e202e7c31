import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ProviderError, type MessageProvider, type OutboundMessage } from '../../src/channels/types.ts';

/**
 * The contract every channel provider passes (Hono's runTest({ newRouter })
 * style): the same cases run against Twilio (stand-in), SMTP (stand-in) and the
 * dev outbox. What differs between providers is declared, not special-cased:
 * how `lookup` can answer.
 */
export interface ProviderUnderTest {
  provider: MessageProvider;
  /** What reached the other side (the stand-in's inbox), oldest first. */
  delivered(): Promise<Array<{ to: string; body: string }>>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** A valid recipient; different n, different recipient. */
  recipient(n: number): string;
  /** A recipient the provider refuses for good (bad number, unknown mailbox). */
  invalidRecipient: string;
  /**
   * exact: lookup finds a sent message and reports a never-sent one as not found;
   * cannot-tell: lookup always answers 'unknown' (plain SMTP);
   * idempotent: sending is a no-op keyed by outbox id, so lookup always finds it (dev outbox).
   */
  lookup: 'exact' | 'cannot-tell' | 'idempotent';
}

export function outbound(provider: MessageProvider, to: string, body: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: randomUUID(),
    businessId: 'biz_contract',
    channel: provider.channel,
    to,
    from: null,
    body,
    subject: provider.channel === 'email' ? 'Your appointment' : null,
    attemptStartedAt: new Date(),
    ...extra,
  };
}

async function withProvider(make: () => Promise<ProviderUnderTest>, run: (p: ProviderUnderTest) => Promise<void>): Promise<void> {
  const p = await make();
  try {
    await run(p);
  } finally {
    await p.provider.close?.();
    await p.cleanup();
  }
}

export function runProviderContract(name: string, makeProvider: () => Promise<ProviderUnderTest>, options: ContractOptions): void {
  describe(`provider contract: ${name}`, () => {
    test('send returns an id and the other side received exactly that message', () =>
      withProvider(makeProvider, async ({ provider, delivered }) => {
        const msg = outbound(provider, options.recipient(1), 'Hi Dana, your tune-up is booked for Tue 9am. Reply C to confirm.');
        const result = await provider.send(msg);
        assert.ok(result.providerMessageId.length > 0);
        assert.ok(['queued', 'sent', 'delivered'].includes(result.status), result.status);
        assert.deepEqual(await delivered(), [{ to: msg.to, body: msg.body }]);
      }));

    test('a second, different message gets a different id', () =>
      withProvider(makeProvider, async ({ provider, delivered }) => {
        const a = outbound(provider, options.recipient(1), 'First message');
        const b = outbound(provider, options.recipient(2), 'Second message');
        const ra = await provider.send(a);
        const rb = await provider.send(b);
        assert.notEqual(ra.providerMessageId, rb.providerMessageId);
        assert.deepEqual(await delivered(), [{ to: a.to, body: a.body }, { to: b.to, body: b.body }]);
      }));

    test('lookup after a successful send finds it (or says it cannot tell)', () =>
      withProvider(makeProvider, async ({ provider }) => {
        const msg = outbound(provider, options.recipient(3), 'Your technician is on the way.');
        const sent = await provider.send(msg);
        const found = await provider.lookup(msg);
        if (options.lookup === 'cannot-tell') return assert.deepEqual(found, { found: 'unknown' });
        assert.equal(found.found, true);
        assert.equal(found.found === true && found.providerMessageId, sent.providerMessageId);
      }));

    test('lookup for a message never sent is not found (or cannot tell, or idempotent)', () =>
      withProvider(makeProvider, async ({ provider, delivered }) => {
        await provider.send(outbound(provider, options.recipient(4), 'Something else entirely'));
        const never = outbound(provider, options.recipient(4), 'This one was never sent');
        const found = await provider.lookup(never);
        if (options.lookup === 'exact') assert.deepEqual(found, { found: false });
        if (options.lookup === 'cannot-tell') assert.deepEqual(found, { found: 'unknown' });
        if (options.lookup === 'idempotent') {
          // "Found" is safe only because a send would be the same no-op with the same id.
          assert.equal(found.found, true);
          const sent = await provider.send(never);
          assert.equal(found.found === true && found.providerMessageId, sent.providerMessageId);
        }
        assert.equal((await delivered()).length, options.lookup === 'idempotent' ? 2 : 1);
      }));

    if (options.lookup === 'exact') {
      test('lookup skips an identical earlier message whose id another outbox row already holds', () =>
        withProvider(makeProvider, async ({ provider }) => {
          const body = 'Reply YES to confirm your appointment.';
          const first = outbound(provider, options.recipient(5), body);
          const firstId = (await provider.send(first)).providerMessageId;
          const second = outbound(provider, options.recipient(5), body); // same text, never sent
          assert.deepEqual(await provider.lookup({ ...second, knownProviderIds: [firstId] }), { found: false });
          const secondId = (await provider.send(second)).providerMessageId;
          const found = await provider.lookup({ ...second, knownProviderIds: [firstId] });
          assert.equal(found.found === true && found.providerMessageId, secondId);
        }));
    }

    test('a permanent provider error surfaces as ProviderError with permanent=true', () =>
      withProvider(makeProvider, async ({ provider, delivered }) => {
        const msg = outbound(provider, options.invalidRecipient, 'Will not go anywhere');
        await assert.rejects(provider.send(msg), (err: unknown) => {
          assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
          assert.equal(err.info.permanent, true);
          assert.ok(err.info.message.length > 0);
          return true;
        });
        assert.deepEqual(await delivered(), []);
      }));
  });
}
