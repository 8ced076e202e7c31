import { useState, type FormEvent } from 'react';
import { del, patch, post, when } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Load, useSave } from '../ui.tsx';

/** GET /business/channels: this business's own sending identity (the auth token is never sent back). */
interface SenderNumber {
  number: string;
  source: 'profile' | 'api' | 'install_default' | 'messaging_service';
  verified: boolean;
  checkError: string | null;
  lastInboundAt: string | null;
  lastOutbound: { at: string; state: string } | null;
}
interface Channels {
  messagingServiceSid: string | null;
  twilioAccountSid: string | null;
  twilioAuthTokenSet: boolean;
  emailFromName: string | null;
  emailFromAddress: string | null;
  emailReplyTo: string | null;
  twilio: { accountSid: string; own: boolean } | null;
  numbers: SenderNumber[];
}
const sourceLabel: Record<SenderNumber['source'], string> = { profile: 'business phone', api: 'added here', install_default: "install's number", messaging_service: 'Messaging Service pool' };


/**
 * Settings → Channels: the numbers this business texts and is called on (each
 * verified on its Twilio account or not, with its last message in and out),
 * its Messaging Service, its own Twilio account, and its email From.
 */
export function SenderIdentity({ canManage }: { canManage: boolean }) {
  const state = useApi<Channels>('/business/channels');
  return <Load state={state} what="Sender numbers">{(c) => <SenderForms channels={c} canManage={canManage} reload={state.reload} />}</Load>;
}

function SenderForms({ channels: c, canManage, reload }: { channels: Channels; canManage: boolean; reload: () => void }) {
  const [number, setNumber] = useState('');
  const [service, setService] = useState(c.messagingServiceSid ?? '');
  const [accountSid, setAccountSid] = useState(c.twilioAccountSid ?? '');
  const [token, setToken] = useState('');
  const [fromName, setFromName] = useState(c.emailFromName ?? '');
  const [fromAddress, setFromAddress] = useState(c.emailFromAddress ?? '');
  const [replyTo, setReplyTo] = useState(c.emailReplyTo ?? '');
  const numbers = useSave();
  const sms = useSave();
  const email = useSave();
  const addNumber = (e: FormEvent) => {
    e.preventDefault();
    void numbers.save(async () => { await post('/numbers', { number }); setNumber(''); reload(); }, `${number} added.`);
  };
  const saveSms = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = { messagingServiceSid: service.trim() || null };
    if (accountSid.trim() && token.trim()) Object.assign(body, { twilioAccountSid: accountSid.trim(), twilioAuthToken: token.trim() });
    else if (!accountSid.trim() && c.twilioAccountSid) body.twilioAccountSid = null;
    void sms.save(async () => { await patch('/business/channels', body); setToken(''); reload(); }, 'Texting settings saved.');
  };
  const saveEmail = (e: FormEvent) => {
    e.preventDefault();
    void email.save(async () => { await patch('/business/channels', { emailFromName: fromName.trim() || null, emailFromAddress: fromAddress.trim() || null, emailReplyTo: replyTo.trim() || null }); reload(); }, 'Email sender saved.');
  };
  const verifiedCount = c.numbers.filter((n) => n.verified).length;
  return (
    <div data-testid="sender-identity">
      <h3>Numbers</h3>
      <p className="muted">
        Texts to a customer always come from the same number of this business, and replies to it land here only. A number belongs to one business on this install.
        {c.twilio ? <> With Twilio, only numbers on {c.twilio.own ? 'this business\'s own Twilio account' : 'the Twilio account'} ({c.twilio.accountSid}) send.</> : <> Without Twilio any number is accepted, unverified (nothing leaves this machine).</>}
      </p>
      {c.twilio && c.numbers.length > 0 && verifiedCount === 0 && !c.messagingServiceSid && <p className="notice" role="status">No verified number yet: texts wait in the outbox until one is added or checked.</p>}
      <table data-testid="sender-numbers">
        <thead><tr><th>Number</th><th>State</th><th>From</th><th>Last in</th><th>Last out</th>{canManage && <th><span className="sr-only">Actions</span></th>}</tr></thead>
        <tbody>
          {c.numbers.map((n) => (
            <tr key={n.number}>
              <td>{n.number}</td>
              <td>{n.verified ? <span className="tag ok">verified</span> : <span className="tag" title={n.checkError ?? undefined}>unverified</span>}{!n.verified && n.checkError && <div className="muted">{n.checkError}</div>}</td>
              <td>{sourceLabel[n.source]}</td>
              <td>{when(n.lastInboundAt)}</td>
              <td>{n.lastOutbound ? <>{when(n.lastOutbound.at)} <span className="muted">({n.lastOutbound.state})</span></> : '–'}</td>
              {canManage && (
                <td>{n.source !== 'profile' && <button type="button" className="secondary" onClick={() => void numbers.save(async () => { await del(`/numbers/${encodeURIComponent(n.number)}`); reload(); }, `${n.number} removed.`)}>Remove</button>}</td>
              )}
            </tr>
          ))}
          {c.numbers.length === 0 && <tr><td colSpan={canManage ? 6 : 5} className="muted">No numbers yet. Add the business's texting number below.</td></tr>}
        </tbody>
      </table>
      {canManage && (
        <div className="actions">
          <form className="filters" aria-label="New number" onSubmit={addNumber}>
            <div><label htmlFor="sender-number">Add a number</label><input id="sender-number" required inputMode="tel" placeholder="+1 512 555 0100" value={number} onChange={(e) => setNumber(e.target.value)} /></div>
            <div><button type="submit">Add number</button></div>
          </form>
          {c.twilio && <button type="button" className="secondary" onClick={() => void numbers.save(async () => { await post('/numbers/verify'); reload(); }, 'Numbers checked with Twilio.')}>Check with Twilio now</button>}
        </div>
      )}
      {numbers.feedback}
      {canManage && (
        <>
          <h3>Twilio</h3>
          <form aria-label="Texting settings" onSubmit={saveSms} className="stack">
            <div><label htmlFor="ms-sid">Messaging Service SID (optional: Twilio then picks and keeps a sender from its pool)</label><input id="ms-sid" placeholder="MG…" value={service} onChange={(e) => setService(e.target.value)} /></div>
            <div><label htmlFor="acct-sid">This business's own Twilio account or subaccount SID (optional)</label><input id="acct-sid" placeholder="AC…" value={accountSid} onChange={(e) => setAccountSid(e.target.value)} /></div>
            <div><label htmlFor="acct-token">Its auth token {c.twilioAuthTokenSet && <span className="muted">(stored, encrypted; type a new one to replace it)</span>}</label><input id="acct-token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} /></div>
            <div><button type="submit">Save texting settings</button></div>
          </form>
          {sms.feedback}
          <h3>Email sender</h3>
          <form aria-label="Email sender" onSubmit={saveEmail} className="stack">
            <div><label htmlFor="from-name">From name</label><input id="from-name" placeholder="the business's name" value={fromName} onChange={(e) => setFromName(e.target.value)} /></div>
            <div><label htmlFor="from-address">From address (on a domain your mail server may send for)</label><input id="from-address" type="email" placeholder="the install's SMTP_FROM address" value={fromAddress} onChange={(e) => setFromAddress(e.target.value)} /></div>
            <div><label htmlFor="reply-to">Reply-To</label><input id="reply-to" type="email" placeholder="the business's email" value={replyTo} onChange={(e) => setReplyTo(e.target.value)} /></div>
            <div><button type="submit">Save email sender</button></div>
          </form>
          {email.feedback}
        </>
      )}
    </div>
  );
}
