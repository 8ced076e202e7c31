/* Kinetic website widget: a lead form and a chat. Served by Kinetic at /widget.js?business=<slug>. */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || window.__kineticWidget) return;
  window.__kineticWidget = true;
  var src = new URL(me.src);
  var origin = src.origin;
  var slug = src.searchParams.get('business') || '';
  var CSS = '__KINETIC_CSS__';
  var store = (function () { try { return window.sessionStorage; } catch (e) { return null; } })();
  var tokenKey = 'kinetic-chat:' + origin + ':' + slug;
  var uid = 0;

  function api(method, path, body, token) {
    var headers = {};
    if (body) headers['content-type'] = 'application/json';
    if (token) headers['x-chat-token'] = token;
    var url = origin + path + (path.indexOf('?') < 0 ? '?' : '&') + 'business=' + encodeURIComponent(slug);
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: 'omit', mode: 'cors' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { var e = (j && j.error) || {}; e.status = r.status; e.retryAfter = r.headers.get('retry-after'); throw e; }
        return j;
      });
    });
  }

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === false || v == null) continue;
      if (k === 'text') el.textContent = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  }

  function field(label, input, extra) {
    var id = 'k' + (++uid);
    input.id = id;
    var err = h('p', { class: 'k-error', id: id + '-err' });
    input.setAttribute('aria-describedby', id + '-err' + (extra ? ' ' + extra.id : ''));
    return { wrap: h('div', {}, [h('label', { for: id, text: label }), input, extra, err]), input: input, err: err };
  }

  function showErrors(fields, status, e, fallbackField) {
    var issues = (e.details && e.details.issues) || [];
    var first = null;
    Object.keys(fields).forEach(function (k) { fields[k].err.textContent = ''; fields[k].input.removeAttribute('aria-invalid'); });
    issues.forEach(function (i) {
      var f = fields[i.field] || (i.field === 'formToken' ? null : fields[fallbackField]);
      if (!f) return;
      f.err.textContent = i.message;
      f.input.setAttribute('aria-invalid', 'true');
      if (!first) first = f.input;
    });
    status.textContent = e.status === 429 ? 'Too many messages from this connection. Please try again in ' + (e.retryAfter || 'a few') + ' seconds.' : e.message || 'Something went wrong. Please try again.';
    if (first) first.focus();
  }

  function start(cfg) {
    var host = h('div', { 'data-kinetic-widget': slug });
    var root = host.attachShadow({ mode: 'open' });
    var css = CSS.replace(/__ACCENT__/g, /^#[0-9a-fA-F]{3,6}$/.test(cfg.theme.color) ? cfg.theme.color : '#0b6bcb');
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(h('link', { rel: 'stylesheet', href: origin + '/widget.css?business=' + encodeURIComponent(slug) }));
    }
    var wrap = h('div', { class: 'k-root' + (cfg.theme.position === 'left' ? ' k-left' : '') });
    var launchers = h('div', { class: 'k-launchers' });
    var panels = [];

    function panel(name, title, body, button) {
      var titleId = 'k' + (++uid);
      var p = h('section', { class: 'k-panel', role: 'dialog', 'aria-labelledby': titleId, hidden: true, id: 'k-' + name });
      var close = h('button', { type: 'button', class: 'k-close', 'aria-label': 'Close', text: '\u00d7', onclick: function () { toggle(false); } });
      p.appendChild(h('div', { class: 'k-head' }, [h('h2', { id: titleId, text: title }), close]));
      p.appendChild(body);
      function toggle(open) {
        panels.forEach(function (o) { if (o !== entry && open) o.set(false); });
        p.hidden = !open;
        button.setAttribute('aria-expanded', String(open));
        if (open) { var f = p.querySelector('input:not([tabindex="-1"]), textarea, button:not(.k-close)'); (f || close).focus(); if (entry.onopen) entry.onopen(); }
        else button.focus();
      }
      var entry = { set: function (open) { p.hidden = !open; button.setAttribute('aria-expanded', String(open)); }, toggle: toggle };
      button.setAttribute('aria-controls', 'k-' + name);
      button.setAttribute('aria-expanded', 'false');
      button.addEventListener('click', function () { toggle(p.hidden); });
      p.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') toggle(false); });
      panels.push(entry);
      wrap.appendChild(p);
      return entry;
    }

    if (cfg.form) {
      var formButton = h('button', { type: 'button', class: 'k-secondary', text: cfg.texts.formTitle });
      var status = h('p', { class: 'k-status', role: 'status', 'aria-live': 'polite' });
      var consentBox = h('input', { type: 'checkbox', id: 'k-consent' });
      var consentLine = h('label', { class: 'k-check', for: 'k-consent', id: 'k-consent-text' }, [consentBox, h('span', { text: cfg.texts.consentText })]);
      var f = {
        name: field('Name', h('input', { name: 'name', autocomplete: 'name', required: true, maxlength: '120' })),
        phone: field('Phone', h('input', { name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: '40' }), consentLine),
        email: field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: '254' })),
        service: field('Service', h('select', { name: 'service' }, [h('option', { value: '', text: 'Choose a service' })].concat(cfg.services.map(function (s) { return h('option', { value: s.key, text: s.name }); })))),
        urgency: field('How soon do you need us?', h('select', { name: 'urgency' }, [h('option', { value: 'routine', text: 'Routine' }), h('option', { value: 'urgent', text: 'Soon (urgent)' }), h('option', { value: 'emergency', text: 'Emergency' })])),
        message: field('Message', h('textarea', { name: 'message', maxlength: '2000' })),
      };
      f.consent = { input: consentBox, err: f.phone.err };
      var trap = h('div', { class: 'k-trap', 'aria-hidden': 'true' }, [h('label', { for: 'k-website', text: 'Website' }), h('input', { id: 'k-website', name: 'website', tabindex: '-1', autocomplete: 'off' })]);
      var send = h('button', { type: 'submit', text: 'Send request' });
      var form = h('form', { novalidate: true }, [f.name.wrap, f.phone.wrap, f.email.wrap, f.service.wrap, f.urgency.wrap, f.message.wrap, trap, h('div', { class: 'k-actions' }, [send]), status]);
      if (!cfg.services.length) f.service.wrap.hidden = true;
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        send.disabled = true;
        status.textContent = 'Sending\u2026';
        var v = function (k) { return f[k].input.value; };
        api('POST', '/widget/leads', { name: v('name'), phone: v('phone'), email: v('email'), service: v('service') || undefined, urgency: v('urgency'), message: v('message'), consent: consentBox.checked, consentText: cfg.texts.consentText, pageUrl: location.href, formToken: cfg.formToken, website: trap.querySelector('input').value })
          .then(function (r) {
            var done = h('div', { class: 'k-done', tabindex: '-1', role: 'status' }, [h('h2', { text: 'Request sent' }), h('p', { text: r.message })]);
            form.replaceWith(done);
            done.focus();
          }, function (e) { send.disabled = false; showErrors(f, status, e, 'name'); });
      });
      panel('form', cfg.texts.formTitle, form, formButton);
      launchers.appendChild(formButton);
    }

    if (cfg.chat) {
      var chatButton = h('button', { type: 'button', text: 'Chat with us' });
      var log = h('ol', { class: 'k-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
      var chatStatus = h('p', { class: 'k-status', role: 'status', 'aria-live': 'polite' });
      var token = store && store.getItem(tokenKey);
      var last = null;
      var seen = {};
      var timer = null;
      function add(m) {
        if (seen[m.id]) return;
        seen[m.id] = true;
        last = m.id;
        log.appendChild(h('li', { class: 'k-msg ' + (m.from === 'visitor' ? 'k-visitor' : 'k-business') }, [h('span', { class: 'k-sr', text: m.from === 'visitor' ? 'You: ' : cfg.business + ': ' }), document.createTextNode(m.body)]));
        log.scrollTop = log.scrollHeight;
      }
      function poll() {
        if (!token) return;
        api('GET', '/widget/chat/messages' + (last ? '?after=' + encodeURIComponent(last) : ''), null, token).then(function (r) { r.messages.forEach(add); }, function (e) { if (e.status === 404 || e.status === 401) { token = null; store && store.removeItem(tokenKey); } });
      }
      var intro = h('p', { text: cfg.texts.greeting });
      var c = {
        name: field('Name', h('input', { name: 'name', autocomplete: 'name', maxlength: '120' })),
        phone: field('Phone or email (optional)', h('input', { name: 'contact', autocomplete: 'tel', maxlength: '254' })),
        body: field('Message', h('textarea', { name: 'message', maxlength: '2000', required: true })),
      };
      c.message = c.body;
      c.email = c.phone;
      var sendChat = h('button', { type: 'submit', text: 'Send' });
      var chatForm = h('form', { novalidate: true }, [c.name.wrap, c.phone.wrap, c.body.wrap, h('div', { class: 'k-actions' }, [sendChat]), chatStatus]);
      function started() { c.name.wrap.hidden = true; c.phone.wrap.hidden = true; }
      if (token) started();
      chatForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var text = c.body.input.value;
        sendChat.disabled = true;
        chatStatus.textContent = '';
        var reach = c.phone.input.value.trim();
        var req = token
          ? api('POST', '/widget/chat/messages', { body: text }, token)
          : api('POST', '/widget/chat', { name: c.name.input.value, phone: reach && reach.indexOf('@') < 0 ? reach : undefined, email: reach.indexOf('@') > 0 ? reach : undefined, message: text, pageUrl: location.href, formToken: cfg.formToken });
        req.then(function (r) {
          sendChat.disabled = false;
          if (r.token) { token = r.token; store && store.setItem(tokenKey, token); started(); }
          if (r.messages) r.messages.forEach(add);
          else chatStatus.textContent = 'Thanks \u2014 we got your message.';
          c.body.input.value = '';
          c.body.input.focus();
        }, function (e) { sendChat.disabled = false; showErrors(c, chatStatus, e, 'body'); });
      });
      var chatPanel = panel('chat', 'Chat with ' + cfg.business, h('div', {}, [intro, log, chatForm]), chatButton);
      chatPanel.onopen = function () { poll(); if (!timer) timer = setInterval(function () { if (!document.hidden) poll(); }, 4000); };
      launchers.appendChild(chatButton);
    }
    wrap.appendChild(launchers);
    root.appendChild(wrap);
    document.body.appendChild(host);
  }

  api('GET', '/widget/config').then(function (cfg) { if (cfg.enabled) start(cfg); }, function () { /* a snippet must never break the page it is on */ });
})();
