// Nedbrud playground: talk to the bot as Teams would, without Teams.
//
// The page POSTs Teams-shaped activities to the real /api/messages, with
// serviceUrl = the development connector (/dev/connector). Everything the bot
// sends (replies, proactive posts, thread replies, card updates) reaches that
// connector and comes back here as Server-Sent Events (/dev/events); the page
// shows only what came that way. Cards are rendered by the adaptivecards
// library with a Teams-like host config; a button press is sent as Teams sends
// Action.Submit: a message whose value is the button's data with the card's
// inputs merged in.
/* global AdaptiveCards */
'use strict';

(() => {
  const STORE_KEY = 'nedbrud.playground.v1';
  const ROLE_LABELS = { staff: 'personale', nexusteam: 'Nexusteamet', providers: 'private leverandører', homecare: 'hjemmeplejen' };
  const KIND_LABELS = { staff: 'medarbejder', nexusteam: 'Nexusteamet' };
  const SUGGESTIONS = {
    staff: ['Nexus er nede', 'Bekey virker ikke', 'Internettet er nede', 'status', 'kontakter', 'åbningstider', 'hjælp', 'forfra'],
    nexusteam: ['meld nedbrud', 'opdater', 'løst', 'status', 'historik', 'Nexus er nede', 'hjælp', 'forfra'],
    channel: ['kanal', 'status', 'Nexus er nede', 'hjælp'],
  };

  const $ = (id) => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`#${id} missing`);
    return el;
  };

  /** @type {{ serviceUrl: string, tenantId: string, bot: {id: string, name: string}, personas: Persona[], defaultPersonas: Persona[], teams: Team[], channels: Channel[], clock: Clock, messages: Map<string, Msg>, view: string, personaIndex: number, unread: Map<string, number>, openReplies: Set<string> }} */
  const state = {
    serviceUrl: '',
    tenantId: '',
    bot: { id: '', name: 'Nedbrud' },
    personas: [],
    defaultPersonas: [],
    teams: [],
    channels: [],
    clock: { now: '', offsetMs: 0, local: '', localInput: '', movable: false },
    messages: new Map(),
    view: 'chat',
    personaIndex: 0,
    unread: new Map(),
    openReplies: new Set(),
  };
  /** message id → its rendered element (current view only). */
  const rendered = new Map();

  // ---------------------------------------------------------------- helpers

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  /**
   * The little Markdown Teams cards use: [links](url) and **bold**, nothing else.
   * HTML is escaped first, so nothing in a message can become markup; only
   * https, http, mailto and tel links are made.
   */
  function markdown(text) {
    let html = escapeHtml(text);
    html = html.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, label, href) => {
      const raw = href.replace(/&amp;/g, '&');
      if (!/^(https?:|mailto:|tel:)/i.test(raw)) return whole;
      const newTab = /^https?:/i.test(raw) ? ' target="_blank" rel="noopener noreferrer"' : '';
      return `<a href="${href}"${newTab}>${label}</a>`;
    });
    html = html.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
    return html.replace(/\n/g, '<br>');
  }

  /** Plain text as Teams shows it; `<at>Name</at>` mentions highlighted. */
  function plainText(text) {
    return escapeHtml(text).replace(/&lt;at&gt;(.*?)&lt;\/at&gt;/g, '<span class="mention">$1</span>');
  }

  function personalConversationId(userId) {
    return `a:1playground-${userId.replace(/[^A-Za-z0-9-]/g, '-')}`;
  }

  function activityId() {
    return `1${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  }

  function initials(name) {
    return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  }

  let toastTimer = 0;
  function toast(text) {
    const el = $('toast');
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      el.hidden = true;
    }, 5000);
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw new Error((json && json.message) || `${method} ${path}: HTTP ${res.status}`);
    return json;
  }

  // ---------------------------------------------------------------- personas

  function persona() {
    return state.personas[state.personaIndex] || state.personas[0];
  }

  function save() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ personas: state.personas, personaIndex: state.personaIndex, view: state.view }));
    } catch {
      // private mode: nothing is remembered
    }
  }

  function load() {
    try {
      const raw = localStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  async function pushPersonas() {
    try {
      await api('PUT', '/dev/personas', state.personas.map(({ kind, id, name, aadObjectId }) => ({ kind, id, name, aadObjectId })));
    } catch (err) {
      toast(`Personerne kunne ikke gemmes: ${err.message}`);
    }
  }

  function renderPersonas() {
    const select = $('persona-select');
    select.textContent = '';
    state.personas.forEach((p, i) => {
      const option = document.createElement('option');
      option.value = String(i);
      option.textContent = `${p.name} (${KIND_LABELS[p.kind] || p.kind})`;
      select.append(option);
    });
    select.value = String(state.personaIndex);
    const p = persona();
    $('persona-name').value = p.name;
    $('persona-kind').value = p.kind;
    $('persona-id').value = p.id;
    $('persona-aad').value = p.aadObjectId;
  }

  // ---------------------------------------------------------------- clock

  function formatOffset(ms) {
    if (Math.abs(ms) < 60_000) return 'rigtig tid';
    const sign = ms < 0 ? '−' : '+';
    let minutes = Math.round(Math.abs(ms) / 60_000);
    const days = Math.floor(minutes / 1440);
    minutes -= days * 1440;
    const hours = Math.floor(minutes / 60);
    minutes -= hours * 60;
    const parts = [];
    if (days) parts.push(`${days} d`);
    if (hours) parts.push(`${hours} t`);
    if (minutes || parts.length === 0) parts.push(`${minutes} min`);
    return `${sign}${parts.join(' ')} i forhold til nu`;
  }

  function setClock(clock) {
    state.clock = clock;
    $('clock-now').textContent = clock.local;
    $('clock-offset').textContent = clock.movable ? formatOffset(clock.offsetMs) : 'fast ur';
    const input = $('clock-at');
    if (document.activeElement !== input) input.value = clock.localInput;
    for (const b of document.querySelectorAll('.clock button')) b.disabled = !clock.movable;
  }

  async function moveClock(body) {
    try {
      setClock(await api('POST', '/dev/clock', body));
      document.querySelector('.clock').classList.remove('editing');
      $('clock-set-toggle').setAttribute('aria-expanded', 'false');
      await refreshChannels();
    } catch (err) {
      toast(`Uret kunne ikke flyttes: ${err.message}`);
    }
  }

  // ---------------------------------------------------------------- channels and views

  function channel(id) {
    return state.channels.find((c) => c.conversationId === id);
  }

  function team(id) {
    return state.teams.find((t) => t.id === id);
  }

  async function refreshChannels() {
    try {
      state.channels = await api('GET', '/dev/channels');
      renderViews();
    } catch (err) {
      toast(`Kanalerne kunne ikke hentes: ${err.message}`);
    }
  }

  /** The conversation a message belongs to in the page: 'chat' for the current persona's 1:1, else its channel. */
  function viewOf(msg) {
    if (msg.conversationId === personalConversationId(persona().id)) return 'chat';
    return msg.conversationId;
  }

  function renderViews() {
    const list = $('views');
    list.textContent = '';
    const entries = [{ view: 'chat', title: 'Chat med Nedbrud', sub: `1:1 som ${persona().name}`, roles: [] }];
    for (const c of state.channels) entries.push({ view: c.conversationId, title: c.channelName, sub: c.teamName, roles: c.roles });
    for (const e of entries) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'view-button';
      button.dataset.view = e.view;
      button.dataset.testid = e.view === 'chat' ? 'view-chat' : `view-channel`;
      if (e.view === state.view) button.setAttribute('aria-current', 'page');
      const unread = state.unread.get(e.view) || 0;
      button.innerHTML =
        `<span class="view-icon${e.view === 'chat' ? ' chat' : ''}" aria-hidden="true">${e.view === 'chat' ? '1:1' : '#'}</span>` +
        `<span class="view-text"><span class="view-title">${escapeHtml(e.title)}</span>` +
        `<span class="view-sub">${escapeHtml(e.sub)}</span>` +
        (e.roles.length ? `<span class="roles">${e.roles.map((r) => `<span class="role role-${escapeHtml(r)}">${escapeHtml(ROLE_LABELS[r] || r)}</span>`).join('')}</span>` : '') +
        (e.view !== 'chat' && e.roles.length === 0 ? '<span class="roles"><span class="role">ingen rolle</span></span>' : '') +
        '</span>' +
        (unread ? `<span class="unread" aria-label="${unread} nye">${unread}</span>` : '');
      button.addEventListener('click', () => showView(e.view));
      li.append(button);
      list.append(li);
    }
    // On a phone the views are a row of tabs: keep the open one in sight.
    const current = list.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) current.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  function showView(view) {
    state.view = view;
    state.unread.delete(view);
    save();
    renderViews();
    renderMessages();
  }

  // ---------------------------------------------------------------- messages

  function hostConfig() {
    const narrow = window.matchMedia('(max-width: 640px)').matches;
    const colors = (d, s) => ({ default: d, subtle: s });
    const foreground = {
      default: colors('#242424', '#616161'),
      dark: colors('#242424', '#616161'),
      light: colors('#FFFFFF', '#F5F5F5'),
      accent: colors('#5B5FC7', '#7F85F5'),
      good: colors('#0E700E', '#3E8E3E'),
      warning: colors('#835B00', '#A57B1F'),
      attention: colors('#C4314B', '#D06477'),
    };
    return new AdaptiveCards.HostConfig({
      fontFamily: "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', Arial, sans-serif",
      supportsInteractivity: true,
      spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 24, padding: 16 },
      separator: { lineThickness: 1, lineColor: '#E0E0E0' },
      fontSizes: { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 300, default: 400, bolder: 600 },
      imageSizes: { small: 32, medium: 52, large: 100 },
      containerStyles: {
        default: { backgroundColor: '#FFFFFF', foregroundColors: foreground },
        emphasis: { backgroundColor: '#F5F5F5', foregroundColors: foreground },
        accent: { backgroundColor: '#E8EBFA', foregroundColors: foreground },
        good: { backgroundColor: '#E7F2DA', foregroundColors: foreground },
        attention: { backgroundColor: '#FCF4F6', foregroundColors: foreground },
        warning: { backgroundColor: '#FBF6D9', foregroundColors: foreground },
      },
      actions: {
        maxActions: 6,
        spacing: 'default',
        buttonSpacing: 8,
        showCard: { actionMode: 'inline', inlineTopMargin: 12 },
        actionsOrientation: narrow ? 'vertical' : 'horizontal',
        actionAlignment: narrow ? 'stretch' : 'left',
        iconPlacement: 'leftOfTitle',
        iconSize: 16,
      },
      adaptiveCard: { allowCustomStyle: true },
      textBlock: { headingLevel: 2 },
      inputs: {
        label: {
          inputSpacing: 'small',
          requiredInputs: { weight: 'bolder', suffix: ' *', suffixColor: 'attention' },
          optionalInputs: { weight: 'bolder' },
        },
        errorMessage: { size: 'small', color: 'attention' },
      },
    });
  }

  function renderCard(content, msg) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = hostConfig();
    card.onExecuteAction = (action) => void onCardAction(action, msg);
    try {
      card.parse(content);
      const el = card.render();
      if (el) return el;
    } catch (err) {
      console.error('card could not be rendered', err);
    }
    const fallback = document.createElement('pre');
    fallback.className = 'card-error';
    fallback.textContent = 'Kortet kunne ikke vises.';
    return fallback;
  }

  function messageElement(msg) {
    const inChannel = msg.conversationId !== personalConversationId(persona().id);
    const mine = msg.role === 'user' && msg.from.id === persona().id;
    const article = document.createElement('article');
    article.className = `msg ${msg.role}${mine && !inChannel ? ' mine' : ''}${msg.deleted ? ' deleted' : ''}`;
    article.dataset.messageId = msg.id;
    article.dataset.version = String(msg.version);
    article.dataset.role = msg.role;
    article.dataset.testid = 'message';

    if (inChannel || !mine) {
      const avatar = document.createElement('div');
      avatar.className = `avatar ${msg.role}`;
      avatar.setAttribute('aria-hidden', 'true');
      avatar.textContent = msg.role === 'bot' ? 'N' : initials(msg.from.name);
      article.append(avatar);
    }
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    const header = document.createElement('header');
    header.innerHTML =
      `<span class="from">${escapeHtml(msg.role === 'bot' ? state.bot.name : msg.from.name)}</span>` +
      `<time datetime="${escapeHtml(msg.at)}">${escapeHtml(msg.atText)}</time>` +
      (msg.version > 0 && !msg.deleted ? '<span class="edited">Redigeret</span>' : '');
    bubble.append(header);
    if (msg.deleted) {
      const p = document.createElement('p');
      p.className = 'text subtle';
      p.textContent = 'Denne besked er slettet.';
      bubble.append(p);
    }
    if (msg.text) {
      const p = document.createElement('div');
      p.className = 'text';
      p.innerHTML = plainText(msg.text);
      bubble.append(p);
    }
    for (const a of msg.attachments || []) {
      const host = document.createElement('div');
      host.className = 'card-host';
      if (a.contentType === 'application/vnd.microsoft.card.adaptive' && a.content) {
        host.append(renderCard(a.content, msg));
      } else {
        host.textContent = `[${a.contentType}${a.name ? `: ${a.name}` : ''}]`;
      }
      bubble.append(host);
    }
    article.append(bubble);
    return article;
  }

  function messagesOf(view) {
    const all = [...state.messages.values()];
    if (view === 'chat') {
      const id = personalConversationId(persona().id);
      return all.filter((m) => m.conversationId === id);
    }
    return all.filter((m) => m.conversationId === view);
  }

  function threadElement(root) {
    const thread = document.createElement('section');
    thread.className = 'thread';
    thread.dataset.threadId = root.id;
    thread.append(messageElement(root));
    const replies = document.createElement('div');
    replies.className = 'replies';
    thread.append(replies);
    const footer = document.createElement('div');
    footer.className = 'thread-footer';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'reply-toggle';
    toggle.textContent = 'Svar';
    const form = document.createElement('form');
    form.className = 'reply-form';
    form.hidden = !state.openReplies.has(root.id);
    form.innerHTML = '<input aria-label="Svar i tråden" maxlength="4000" placeholder="Svar i tråden (@Nedbrud nævnes)"><button type="submit" class="primary">Send</button>';
    toggle.hidden = !form.hidden;
    toggle.addEventListener('click', () => {
      state.openReplies.add(root.id);
      form.hidden = false;
      toggle.hidden = true;
      form.querySelector('input').focus();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const input = form.querySelector('input');
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      void sendText(text, { threadId: root.id });
    });
    footer.append(toggle, form);
    thread.append(footer);
    return thread;
  }

  function renderMessages() {
    const box = $('messages');
    box.textContent = '';
    rendered.clear();
    const view = state.view;
    const c = view === 'chat' ? null : channel(view);
    if (view !== 'chat' && !c) {
      state.view = 'chat';
      return renderMessages();
    }
    $('view-title').textContent = c ? `# ${c.channelName}` : 'Chat med Nedbrud';
    $('view-sub').textContent = c
      ? `${c.teamName}${c.roles.length ? ` · bruges til: ${c.roles.map((r) => ROLE_LABELS[r] || r).join(', ')}` : ' · ingen rolle'} · skriv @Nedbrud for at tale med botten`
      : `Du er ${persona().name} (${KIND_LABELS[persona().kind] || persona().kind}). Alt går gennem /api/messages som fra Teams.`;
    box.className = `messages ${c ? 'channel-view' : 'chat-view'}`;
    $('composer-input').placeholder = c ? `Nyt opslag i ${c.channelName} (@Nedbrud nævnes)` : 'Skriv en besked, fx »Nexus er nede«';
    renderSuggestions();

    const list = messagesOf(view);
    if (list.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = c ? 'Ingen opslag endnu.' : 'Skriv »Nexus er nede« eller »hjælp« for at begynde.';
      box.append(empty);
    }
    if (!c) {
      for (const m of list) {
        const el = messageElement(m);
        rendered.set(m.id, el);
        box.append(el);
      }
    } else {
      for (const m of list.filter((x) => !x.threadId || !state.messages.has(x.threadId))) {
        const thread = threadElement(m);
        rendered.set(m.id, thread.firstElementChild);
        box.append(thread);
      }
      for (const m of list.filter((x) => x.threadId && state.messages.has(x.threadId))) appendReply(m);
    }
    box.scrollTop = box.scrollHeight;
  }

  function appendReply(m) {
    const thread = $('messages').querySelector(`.thread[data-thread-id="${CSS.escape(m.threadId)}"]`);
    if (!thread) return false;
    const el = messageElement(m);
    rendered.set(m.id, el);
    thread.querySelector('.replies').append(el);
    return true;
  }

  /** A new or replaced message from the connector. */
  function upsert(msg) {
    const before = state.messages.get(msg.id);
    state.messages.set(msg.id, msg);
    const view = viewOf(msg);
    if (view !== state.view) {
      if (!before && msg.role === 'bot') {
        state.unread.set(view, (state.unread.get(view) || 0) + 1);
        renderViews();
      }
      if (/@thread\./i.test(view) && !channel(view)) void refreshChannels();
      return;
    }
    const box = $('messages');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
    const existing = rendered.get(msg.id);
    if (existing) {
      // Replaced in place (an updated card): same spot, new content.
      const el = messageElement(msg);
      existing.replaceWith(el);
      rendered.set(msg.id, el);
      el.classList.add('flash');
      return;
    }
    const empty = box.querySelector('.empty');
    if (empty) empty.remove();
    if (view === 'chat') {
      const el = messageElement(msg);
      rendered.set(msg.id, el);
      box.append(el);
    } else if (msg.threadId && state.messages.has(msg.threadId)) {
      if (!appendReply(msg)) return renderMessages();
    } else {
      const thread = threadElement(msg);
      rendered.set(msg.id, thread.firstElementChild);
      box.append(thread);
    }
    if (nearBottom || msg.role === 'user') box.scrollTop = box.scrollHeight;
  }

  function renderSuggestions() {
    const box = $('suggestions');
    box.textContent = '';
    const words = state.view === 'chat' ? SUGGESTIONS[persona().kind] || SUGGESTIONS.staff : SUGGESTIONS.channel;
    for (const w of words) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'chip';
      b.textContent = w;
      b.addEventListener('click', () => void sendText(w));
      box.append(b);
    }
  }

  // ---------------------------------------------------------------- sending (as Teams)

  /** The activity Teams would POST for this persona in the current view. */
  function activity(fields, where) {
    const p = persona();
    const now = new Date(Date.now() + (state.clock.offsetMs || 0)).toISOString();
    const base = {
      type: 'message',
      id: activityId(),
      timestamp: now,
      localTimestamp: now,
      channelId: 'msteams',
      serviceUrl: state.serviceUrl,
      from: { id: p.id, name: p.name, aadObjectId: p.aadObjectId || undefined, role: 'user' },
      recipient: { id: state.bot.id, name: state.bot.name, role: 'bot' },
      locale: 'da-DK',
      textFormat: 'plain',
      entities: [{ type: 'clientInfo', locale: 'da-DK', country: 'DK', platform: 'Web', timezone: 'Europe/Copenhagen' }],
      ...fields,
    };
    if (where.view === 'chat') {
      return {
        ...base,
        conversation: { id: personalConversationId(p.id), conversationType: 'personal', tenantId: state.tenantId, isGroup: false },
        channelData: { tenant: { id: state.tenantId } },
      };
    }
    const c = channel(where.view);
    const t = c ? team(c.teamId) : undefined;
    return {
      ...base,
      conversation: {
        id: where.threadId ? `${where.view};messageid=${where.threadId}` : where.view,
        conversationType: 'channel',
        tenantId: state.tenantId,
        isGroup: true,
      },
      channelData: {
        tenant: { id: state.tenantId },
        team: { id: c ? c.teamId : where.view, name: c ? c.teamName : '', aadGroupId: t ? t.id : undefined },
        channel: { id: where.view, name: c ? c.channelName : '' },
        teamsTeamId: c ? c.teamId : undefined,
        teamsChannelId: where.view,
      },
    };
  }

  async function post(a) {
    try {
      const res = await fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
      if (res.status >= 300) toast(`Botten svarede HTTP ${res.status}`);
    } catch (err) {
      toast(`Botten kunne ikke nås: ${err.message}`);
    }
    // A "kanal" turn may have changed a channel's roles.
    await refreshChannels();
  }

  async function sendText(text, opts = {}) {
    const where = { view: state.view, threadId: opts.threadId };
    if (where.view === 'chat') return post(activity({ text }, where));
    // In a channel the bot hears only messages that @mention it.
    const mention = `<at>${state.bot.name}</at>`;
    const a = activity({ text: `${mention} ${text}` }, where);
    a.entities = [...a.entities, { type: 'mention', text: mention, mentioned: { id: state.bot.id, name: state.bot.name } }];
    return post(a);
  }

  async function onCardAction(action, msg) {
    const type = action.getJsonTypeName();
    if (type === 'Action.OpenUrl') {
      const url = action.url || '';
      if (/^(https?:|mailto:|tel:)/i.test(url)) window.open(url, '_blank', 'noopener');
      return;
    }
    if (type !== 'Action.Submit' && type !== 'Action.Execute') return;
    // action.data is the button's data with the card's inputs already merged in (adaptivecards 3).
    const data = action.data;
    const inChannel = msg.conversationId !== personalConversationId(persona().id);
    const where = { view: inChannel ? msg.conversationId : 'chat', threadId: inChannel ? msg.threadId || msg.id : undefined };
    const fields = typeof data === 'string' ? { text: data } : { value: data && typeof data === 'object' ? data : {} };
    const host = rendered.get(msg.id);
    if (host) host.classList.add('busy');
    try {
      await post(activity({ ...fields, replyToId: msg.id }, where));
    } finally {
      if (host) host.classList.remove('busy');
    }
  }

  // ---------------------------------------------------------------- events from the server

  function connectEvents() {
    const events = new EventSource('/dev/events');
    events.addEventListener('snapshot', (e) => {
      const data = JSON.parse(e.data);
      state.messages = new Map(data.messages.map((m) => [m.id, m]));
      setClock(data.clock);
      renderMessages();
      document.body.dataset.ready = 'true';
    });
    events.addEventListener('message', (e) => upsert(JSON.parse(e.data)));
    events.addEventListener('clock', (e) => setClock(JSON.parse(e.data)));
    events.addEventListener('error', () => {
      document.body.dataset.ready = 'false';
    });
  }

  // ---------------------------------------------------------------- start

  async function start() {
    AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
      result.outputHtml = markdown(text);
      result.didProcess = true;
    };

    const s = await api('GET', '/dev/state');
    state.serviceUrl = s.serviceUrl;
    state.tenantId = s.tenantId;
    state.bot = s.bot;
    state.teams = s.teams;
    state.channels = s.channels;
    state.defaultPersonas = s.defaultPersonas;
    const stored = load();
    state.personas = stored && Array.isArray(stored.personas) && stored.personas.length ? stored.personas : s.defaultPersonas.map((p) => ({ ...p }));
    state.personaIndex = stored && Number.isInteger(stored.personaIndex) && state.personas[stored.personaIndex] ? stored.personaIndex : 0;
    state.view = stored && typeof stored.view === 'string' ? stored.view : 'chat';
    setClock(s.clock);
    await pushPersonas();
    renderPersonas();
    renderViews();

    $('persona-select').addEventListener('change', (e) => {
      state.personaIndex = Number(e.target.value);
      save();
      renderPersonas();
      renderViews();
      renderMessages();
    });
    $('persona-edit-toggle').addEventListener('click', (e) => {
      const editor = $('persona-editor');
      editor.hidden = !editor.hidden;
      e.currentTarget.setAttribute('aria-expanded', String(!editor.hidden));
    });
    $('persona-editor').addEventListener('submit', (e) => {
      e.preventDefault();
      state.personas[state.personaIndex] = {
        kind: $('persona-kind').value === 'nexusteam' ? 'nexusteam' : 'staff',
        name: $('persona-name').value.trim() || 'Uden navn',
        id: $('persona-id').value.trim() || `29:playground-${Date.now()}`,
        aadObjectId: $('persona-aad').value.trim(),
      };
      save();
      void pushPersonas();
      renderPersonas();
      renderViews();
      renderMessages();
      toast('Personen er gemt.');
    });
    $('persona-add').addEventListener('click', () => {
      const n = state.personas.length + 1;
      const hex = Date.now().toString(16).slice(-12).padStart(12, '0');
      state.personas.push({ kind: 'staff', id: `29:playground-kollega-${n}-${hex.slice(-4)}`, name: `Kollega ${n}`, aadObjectId: `00000000-0000-4000-8000-${hex}` });
      state.personaIndex = state.personas.length - 1;
      save();
      void pushPersonas();
      renderPersonas();
      renderViews();
      renderMessages();
    });
    $('persona-reset').addEventListener('click', () => {
      state.personas = state.defaultPersonas.map((p) => ({ ...p }));
      state.personaIndex = 0;
      save();
      void pushPersonas();
      renderPersonas();
      renderViews();
      renderMessages();
    });

    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = $('composer-input');
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      void sendText(text);
    });

    for (const b of document.querySelectorAll('[data-advance]')) {
      b.addEventListener('click', () => void moveClock({ advanceMs: Number(b.dataset.advance) }));
    }
    $('clock-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('clock-at').value;
      if (value) void moveClock({ at: value });
    });
    $('clock-reset').addEventListener('click', () => void moveClock({ offsetMs: 0 }));
    $('clock-set-toggle').addEventListener('click', (e) => {
      const open = document.querySelector('.clock').classList.toggle('editing');
      e.currentTarget.setAttribute('aria-expanded', String(open));
    });
    // The clock runs on; show the minute.
    setInterval(() => {
      api('GET', '/dev/clock').then(setClock, () => undefined);
    }, 15_000);
    let lastNarrow = window.matchMedia('(max-width: 640px)').matches;
    window.addEventListener('resize', () => {
      const narrow = window.matchMedia('(max-width: 640px)').matches;
      if (narrow !== lastNarrow) {
        lastNarrow = narrow;
        renderMessages();
      }
    });

    connectEvents();
  }

  window.addEventListener('DOMContentLoaded', () => {
    start().catch((err) => {
      console.error(err);
      toast(`Siden kunne ikke starte: ${err.message}`);
    });
  });
})();
