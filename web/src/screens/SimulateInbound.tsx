import { useState, type FormEvent } from 'react';
import { post } from '../api.ts';
import { useApi } from '../hooks.ts';
import { ErrorNote } from '../ui.tsx';

interface Integrations { sms: { provider: string } }
interface Simulated { from: string; to: string | null; handledAs: 'staff' | 'customer'; reply: string | null; contactId: string | null }

/**
 * Without Twilio (the dev outbox), try Kinetic as a customer would: a text
 * typed here goes through the same inbound path a Twilio webhook takes
 * (POST /dev/inbound/sms). Hidden once Twilio is configured.
 */
export function SimulateInbound({ onReceived }: { onReceived: (contactId: string | null) => void }) {
  const status = useApi<Integrations>('/integrations');
  const [from, setFrom] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  if (status.data?.sms.provider !== 'dev_outbox') return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone('');
    try {
      const r = await post<Simulated>('/dev/inbound/sms', { from, body });
      setBody('');
      setDone(`Received from ${r.from}${r.to ? ` at ${r.to}` : ''}${r.reply ? `; answered: "${r.reply}"` : ''}. The worker reads it within seconds.`);
      onReceived(r.contactId);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="card" data-testid="simulate-inbound">
      <summary>Simulate an incoming text (dev outbox)</summary>
      <p className="muted">No Twilio yet: type a text as a customer (or a technician answering a page) would send it. It goes through the real inbound path — keywords, the contact's timeline, intake, emergencies.</p>
      <form className="filters" aria-label="Simulate an incoming text" onSubmit={(e) => void submit(e)}>
        <div><label htmlFor="sim-from">From</label><input id="sim-from" required inputMode="tel" placeholder="(512) 555-0199" value={from} onChange={(e) => setFrom(e.target.value)} /></div>
        <div><label htmlFor="sim-body">Text</label><input id="sim-body" required value={body} onChange={(e) => setBody(e.target.value)} /></div>
        <div><button type="submit">Receive</button></div>
      </form>
      {done && <p role="status" className="ok">{done}</p>}
      <ErrorNote error={error} />
    </details>
  );
}
