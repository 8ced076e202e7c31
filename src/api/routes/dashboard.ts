import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';

// The operator console served until the full dashboard (web/) is built: log in,
// see the business's headline numbers, search contacts and open a timeline.
const page = (businessHint: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kinetic</title>
<style>
  body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
  header{background:#0f2a44;color:#fff;padding:12px 20px;display:flex;justify-content:space-between;align-items:center}
  main{max-width:1000px;margin:20px auto;padding:0 16px}
  .card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px;margin-bottom:16px}
  .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
  .stat b{display:block;font-size:24px} label{display:block;margin:8px 0 4px}
  input{padding:8px;border:1px solid #b8c0c8;border-radius:6px;width:100%;box-sizing:border-box}
  button{padding:8px 14px;border:0;border-radius:6px;background:#1565c0;color:#fff;cursor:pointer}
  table{width:100%;border-collapse:collapse} td,th{text-align:left;padding:6px;border-bottom:1px solid #eef0f2}
  .err{color:#b00020} a{color:#1565c0} .muted{color:#5f6b76}
</style></head>
<body>
<header><strong>Kinetic</strong><span id="who"></span></header>
<main>
  <section id="login" class="card" hidden>
    <h1>Log in</h1>
    <form id="login-form">
      <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${businessHint}">
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
      <p><button type="submit">Log in</button></p><p id="login-error" class="err" role="alert"></p>
    </form>
  </section>
  <section id="app" hidden>
    <div class="card"><h1 id="biz"></h1><div id="stats" class="grid"></div>
      <p class="muted">API reference: <a href="/docs">/docs</a></p></div>
    <div class="card"><h2>Contacts</h2>
      <label for="q">Search by name, phone or email</label><input id="q" type="search">
      <table><thead><tr><th>Name</th><th>Phone</th><th>Stage</th><th>Last touch</th></tr></thead><tbody id="contacts"></tbody></table></div>
    <div class="card" id="timeline-card" hidden><h2 id="timeline-title">Timeline</h2><ul id="timeline"></ul></div>
  </section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const api = async (path, opts = {}) => {
  const res = await fetch(path, { credentials: 'same-origin', headers: opts.body ? { 'content-type': 'application/json' } : {}, ...opts });
  if (res.status === 401) { show(false); throw new Error('unauthenticated'); }
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? res.statusText);
  return body;
};
const money = (c) => '$' + Math.round((c || 0) / 100).toLocaleString();
function show(loggedIn) { $('login').hidden = loggedIn; $('app').hidden = !loggedIn; }
async function load() {
  const me = await api('/me');
  show(true);
  $('who').textContent = (me.user ? me.user.name + ' · ' : '') + me.business.name;
  $('biz').textContent = me.business.name;
  const s = await api('/summary');
  const stats = [
    ['Leads', s.contactsByStage.lead || 0], ['Customers', s.contactsByStage.customer || 0], ['Dormant', s.contactsByStage.dormant || 0],
    ['Leads untouched 10+ days', s.leadsUntouched10Days], ['Open deals', s.openDeals.count + ' · ' + money(s.openDeals.amountCents)],
    ['Jobs next 7 days', s.jobsNext7Days], ['Revenue last 30 days', money(s.jobsCompletedLast30Days.revenueCents)],
    ['Open tasks (overdue)', s.openTasks.count + ' (' + s.openTasks.overdue + ')'], ['Reviews · avg', s.reviews.received + ' · ' + (s.reviews.averageRating ?? '–') + '★'],
  ];
  $('stats').innerHTML = stats.map(([k, v]) => '<div class="stat">' + esc(k) + '<b>' + esc(v) + '</b></div>').join('');
  await search('');
}
async function search(q) {
  const page = await api('/contacts?limit=25' + (q ? '&q=' + encodeURIComponent(q) : ''));
  $('contacts').innerHTML = page.data.map((c) => '<tr><td><a href="#" data-id="' + esc(c.id) + '">' + esc(c.name) + '</a></td><td>' + esc(c.phone) + '</td><td>' + esc(c.lifecycleStage) + '</td><td>' + esc((c.lastInteractionAt || '').slice(0, 10)) + '</td></tr>').join('');
}
async function timeline(id, name) {
  const t = await api('/contacts/' + encodeURIComponent(id) + '/timeline?limit=50');
  $('timeline-card').hidden = false;
  $('timeline-title').textContent = 'Timeline · ' + name;
  $('timeline').innerHTML = t.data.map((i) => '<li><span class="muted">' + esc(i.at.slice(0, 16).replace('T', ' ')) + '</span> ' + esc(i.summary) + '</li>').join('') || '<li>Nothing yet.</li>';
}
$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  try { await api('/auth/login', { method: 'POST', body: JSON.stringify({ email: $('email').value, password: $('password').value }) }); await load(); }
  catch (err) { $('login-error').textContent = err.message; }
});
let timer; $('q').addEventListener('input', (e) => { clearTimeout(timer); timer = setTimeout(() => search(e.target.value), 200); });
$('contacts').addEventListener('click', (e) => { const a = e.target.closest('a[data-id]'); if (a) { e.preventDefault(); timeline(a.dataset.id, a.textContent); } });
load().catch(() => show(false));
</script></body></html>`;

export function registerDashboard(app: FastifyInstance, _ctx: AppContext): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/app'));
  app.get('/app', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(page('')));
}
