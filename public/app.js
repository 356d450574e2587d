// Switchboard's home page: the playground (web chat over WS /web/chat) and the dashboard (/api/...).
// Plain browser JavaScript, no build step. Everything shown is set with textContent.

const visitorKey = "switchboard.visitorId";
const tokenKey = "switchboard.adminToken";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatTime(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString();
}

// ---------------------------------------------------------------- playground

const chat = {
  socket: undefined,
  retryMs: 1000,
  turns: new Map(),
  running: 0,
  counter: 0,
  log: undefined,
  status: undefined,
};

function setChatStatus(text, isError = false) {
  chat.status.textContent = text;
  chat.status.classList.toggle("error", isError);
}

function scrollChat() {
  chat.log.scrollTop = chat.log.scrollHeight;
}

function addChatLine(role, text, channel) {
  const line = element("li", role);
  if (channel && channel !== "web") line.append(element("span", "badge", channel));
  line.append(document.createTextNode(text));
  chat.log.append(line);
  scrollChat();
  return line;
}

function updateStopButton() {
  document.getElementById("chat-stop").disabled = chat.running === 0;
}

function connectChat() {
  const visitor = localStorage.getItem(visitorKey);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = visitor ? `?visitor=${encodeURIComponent(visitor)}` : "";
  const socket = new WebSocket(`${scheme}//${location.host}/web/chat${query}`);
  chat.socket = socket;
  let opened = false;
  setChatStatus("Connecting…");
  socket.addEventListener("open", () => {
    opened = true;
    chat.retryMs = 1000;
  });
  socket.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    onChatFrame(frame);
  });
  socket.addEventListener("close", () => {
    if (chat.socket !== socket) return;
    chat.running = 0;
    chat.turns.clear();
    updateStopButton();
    // A visitor id the server refused (it answers the upgrade with 400) is forgotten.
    if (!opened && visitor) localStorage.removeItem(visitorKey);
    setChatStatus(`Disconnected; reconnecting in ${Math.round(chat.retryMs / 1000)} s…`, true);
    setTimeout(connectChat, chat.retryMs);
    chat.retryMs = Math.min(chat.retryMs * 2, 10_000);
  });
}

function onChatFrame(frame) {
  switch (frame.type) {
    case "ready": {
      localStorage.setItem(visitorKey, frame.visitorId);
      chat.log.replaceChildren();
      for (const line of frame.history) addChatLine(line.role, line.text, line.channel);
      const label = document.getElementById("model-label");
      label.textContent = `Model: ${frame.model}`;
      label.classList.toggle("stand-in", /stand-in/.test(frame.model));
      setChatStatus(`Connected. Conversation ${frame.conversationId}.`);
      break;
    }
    case "turn-start": {
      chat.running++;
      updateStopButton();
      chat.turns.set(frame.turnId, addChatLine("assistant", ""));
      break;
    }
    case "text": {
      const line = chat.turns.get(frame.turnId);
      if (line) {
        line.textContent += frame.delta;
        scrollChat();
      }
      break;
    }
    case "tool": {
      const line = chat.turns.get(frame.turnId);
      const activity = element("li", "activity", `using ${frame.name}…`);
      if (line) chat.log.insertBefore(activity, line);
      else chat.log.append(activity);
      break;
    }
    case "turn-end": {
      const line = chat.turns.get(frame.turnId);
      if (line) {
        if (frame.aborted) line.classList.add("aborted");
        if (line.textContent.length === 0 && !frame.aborted) line.textContent = frame.text;
      }
      chat.turns.delete(frame.turnId);
      chat.running = Math.max(0, chat.running - 1);
      updateStopButton();
      break;
    }
    case "error":
      setChatStatus(frame.message, true);
      break;
    default:
      break;
  }
}

function startPlayground() {
  chat.log = document.getElementById("chat-log");
  chat.status = document.getElementById("chat-status");
  const input = document.getElementById("chat-input");
  const send = () => {
    const text = input.value.trim();
    if (!text || !chat.socket || chat.socket.readyState !== WebSocket.OPEN) return;
    chat.counter++;
    chat.socket.send(JSON.stringify({ type: "message", text, id: `m${chat.counter}` }));
    addChatLine("user", text);
    input.value = "";
    // Sent with the button too: the next message is typed without reaching for the field.
    input.focus();
  };
  document.getElementById("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
  document.getElementById("chat-stop").addEventListener("click", () => {
    chat.socket?.send(JSON.stringify({ type: "cancel" }));
  });
  document.getElementById("chat-new").addEventListener("click", () => {
    localStorage.removeItem(visitorKey);
    // Asked for, not an outage: a new connection at once, without the reconnecting notice.
    const previous = chat.socket;
    chat.socket = undefined;
    previous?.close();
    chat.retryMs = 1000;
    connectChat();
  });
  connectChat();
}

// ---------------------------------------------------------------- dashboard

const dashboard = { token: undefined, selected: undefined, timer: undefined, conversations: new Map() };

function showNotice(text) {
  dashboard.noticeUntil = Date.now() + 10_000;
  setDashboardStatus(text);
}

function setDashboardStatus(text, isError = false) {
  const status = document.getElementById("dashboard-status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

async function api(path, method = "GET") {
  const response = await fetch(path, { method, headers: { authorization: `Bearer ${dashboard.token}` } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    // The API's errors are { error: { code, message } }.
    const error = new Error(
      body.error?.message ?? body.message ?? `${response.status} ${response.statusText}`,
    );
    error.status = response.status;
    throw error;
  }
  return body;
}

/** The one row of a table with nothing to show, saying so. */
function emptyRow(columns, text) {
  const tr = element("tr", "empty");
  const cell = element("td", "", text);
  cell.colSpan = columns;
  tr.append(cell);
  return tr;
}

function row(cells) {
  const tr = element("tr");
  for (const cell of cells) tr.append(element("td", "", cell));
  return tr;
}

function outboxContent(entry) {
  const payload = entry.payload ?? {};
  if (payload.kind === "sms") return payload.body ?? "";
  if (payload.kind === "email") return `${payload.subject ?? ""}\n${payload.text ?? ""}`;
  if (payload.kind === "webhook") return payload.event ?? "";
  return payload.kind ?? "";
}

async function refreshDashboard() {
  const [{ conversations }, { outbox }, { events: failed }] = await Promise.all([
    api("/api/conversations?limit=30"),
    api("/api/outbox?limit=30"),
    api("/api/inbox/failed"),
  ]);
  showFailedInbox(failed);
  dashboard.conversations = new Map(conversations.map((conversation) => [conversation.id, conversation]));
  // Tables are rebuilt only when what they show changed, so a selection (a code being copied) stays.
  if (changed("conversations", [conversations, dashboard.selected])) showConversations(conversations);
  if (changed("outbox", outbox)) {
    const outboxRows = [...outbox].sort((a, b) => b.createdAt - a.createdAt).map(outboxRow);
    document
      .querySelector("#outbox tbody")
      .replaceChildren(...(outboxRows.length > 0 ? outboxRows : [emptyRow(6, "Nothing sent yet.")]));
  }
  if (dashboard.selected) await showTimeline(dashboard.selected);
  // A confirmation ("Erased …") stays readable for a while before the refresh time replaces it.
  if (!(dashboard.noticeUntil > Date.now()))
    setDashboardStatus(`Updated ${new Date().toLocaleTimeString()}.`);
}

/** True when `value` differs from what was last shown under `key` (and remembers it). */
function changed(key, value) {
  const text = JSON.stringify(value);
  if (dashboard.shown?.[key] === text) return false;
  dashboard.shown = { ...dashboard.shown, [key]: text };
  return true;
}

function selectConversation(id) {
  dashboard.selected = id;
  refreshDashboard().catch(showDashboardError);
}

function showConversations(conversations) {
  const conversationRows = conversations.map((conversation) => {
    const tr = row([
      formatTime(conversation.updatedAt),
      conversation.channel,
      conversation.customerId ?? "—",
      conversation.id,
    ]);
    tr.dataset.id = conversation.id;
    tr.classList.toggle("selected", conversation.id === dashboard.selected);
    // A row opens its timeline by click, or by Enter or Space once focused.
    tr.tabIndex = 0;
    tr.setAttribute("aria-selected", String(conversation.id === dashboard.selected));
    tr.addEventListener("click", () => selectConversation(conversation.id));
    tr.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      selectConversation(conversation.id);
    });
    return tr;
  });
  const focused = document.activeElement?.dataset?.id;
  document
    .querySelector("#conversations tbody")
    .replaceChildren(
      ...(conversationRows.length > 0 ? conversationRows : [emptyRow(4, "No conversations yet.")]),
    );
  if (focused) conversationRows.find((tr) => tr.dataset.id === focused)?.focus();
}

/** One outbox entry; one that never reached the provider shows why, and can be sent again. */
function outboxRow(entry) {
  const stopped = entry.status === "failed" || entry.status === "dead";
  const tr = row([
    formatTime(entry.createdAt),
    entry.kind,
    entry.payload?.to ?? "",
    stopped && entry.lastError ? `${entry.status}: ${entry.lastError}` : entry.status,
    outboxContent(entry),
  ]);
  const cell = element("td");
  if (stopped) {
    const retry = element("button", "", "Send again");
    retry.addEventListener("click", () => {
      retry.disabled = true;
      api(`/api/outbox/${encodeURIComponent(entry.id)}/retry`, "POST")
        .then(() => refreshDashboard())
        .catch(showDashboardError);
    });
    cell.append(retry);
  }
  tr.append(cell);
  return tr;
}

/** Inbox events whose handling failed: shown only when there are some, each with a retry button. */
function showFailedInbox(events) {
  const rows = events.map((event) => {
    const tr = row([
      formatTime(event.receivedAt),
      `${event.provider} ${event.eventId}`,
      event.waitingForOperator ? `${event.failures} (waiting for you)` : String(event.failures),
      event.lastError ?? "",
    ]);
    const cell = element("td");
    const retry = element("button", "", "Try again");
    retry.addEventListener("click", () => {
      retry.disabled = true;
      const path = `/api/inbox/failed/${encodeURIComponent(event.provider)}/${encodeURIComponent(event.eventId)}/retry`;
      api(path, "POST")
        .then(() => refreshDashboard())
        .catch(showDashboardError);
    });
    cell.append(retry);
    tr.append(cell);
    return tr;
  });
  document.querySelector("#failed tbody").replaceChildren(...rows);
  document.getElementById("failed-inbox").hidden = rows.length === 0;
}

async function showTimeline(conversationId) {
  let messages;
  try {
    ({ messages } = await api(`/api/conversations/${encodeURIComponent(conversationId)}`));
  } catch (error) {
    if (error.status !== 404) throw error;
    // Erased meanwhile (by another operator, or retention): nothing is selected any more.
    dashboard.selected = undefined;
    dashboard.shown = { ...dashboard.shown, conversations: undefined, timeline: undefined };
    document.getElementById("timeline").hidden = true;
    return;
  }
  if (!changed("timeline", [conversationId, messages])) return;
  const items = [];
  for (const message of messages) {
    if (message.role === "tool") {
      for (const result of message.toolResults ?? [])
        items.push(element("li", "tool", `tool result: ${result.toolName ?? ""}`));
      continue;
    }
    for (const call of message.toolCalls ?? [])
      items.push(element("li", "tool", `tool call: ${call.toolName ?? ""}`));
    if (!message.text) continue;
    const item = element("li", message.role);
    item.append(element("span", "badge", `${message.channel} · ${formatTime(message.createdAt)}`));
    item.append(document.createTextNode(message.text));
    items.push(item);
  }
  document.getElementById("timeline-id").textContent = conversationId;
  document.getElementById("timeline-messages").replaceChildren(...items);
  document.getElementById("timeline").hidden = false;
  await showCustomer(dashboard.conversations.get(conversationId)?.customerId);
}

/** The selected conversation's customer: their addresses, and the privacy actions (export, erase). */
async function showCustomer(customerId) {
  const panel = document.getElementById("customer");
  panel.dataset.customerId = customerId ?? "";
  if (!customerId) {
    panel.hidden = true;
    return;
  }
  const { identifiers } = await api(`/api/customers/${encodeURIComponent(customerId)}`);
  const addresses = identifiers.map((identifier) => `${identifier.kind} ${identifier.value}`).join(", ");
  document.getElementById("customer-line").textContent =
    `Customer ${customerId}${addresses ? ` · ${addresses}` : ""}`;
  panel.hidden = false;
}

async function exportCustomer() {
  const customerId = document.getElementById("customer").dataset.customerId;
  if (!customerId) return;
  const data = await api(`/api/customers/${encodeURIComponent(customerId)}/export`);
  const link = element("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  link.download = `${customerId}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  showNotice(`Exported ${customerId}.`);
}

async function eraseCustomer() {
  const customerId = document.getElementById("customer").dataset.customerId;
  if (!customerId) return;
  const question = `Erase customer ${customerId}: their addresses, every conversation, message and outbox entry? This cannot be undone.`;
  if (!window.confirm(question)) return;
  const { conversations } = await api(`/api/customers/${encodeURIComponent(customerId)}`, "DELETE");
  dashboard.selected = undefined;
  dashboard.shown = { ...dashboard.shown, timeline: undefined };
  document.getElementById("timeline").hidden = true;
  await refreshDashboard();
  showNotice(`Erased ${customerId} and ${conversations} conversation(s).`);
}

function showDashboardError(error) {
  if (error.status === 401) {
    sessionStorage.removeItem(tokenKey);
    dashboard.token = undefined;
    clearInterval(dashboard.timer);
    document.getElementById("dashboard-body").hidden = true;
    document.getElementById("token-form").hidden = false;
  }
  setDashboardStatus(error.message, true);
}

function openDashboard(token) {
  dashboard.token = token;
  refreshDashboard().then(
    () => {
      sessionStorage.setItem(tokenKey, token);
      document.getElementById("token-form").hidden = true;
      const body = document.getElementById("dashboard-body");
      body.hidden = false;
      // The form that had focus is gone: the dashboard takes it.
      body.tabIndex = -1;
      body.focus();
      clearInterval(dashboard.timer);
      dashboard.timer = setInterval(() => {
        if (document.visibilityState === "visible") refreshDashboard().catch(showDashboardError);
      }, 3000);
    },
    (error) => showDashboardError(error),
  );
}

function startDashboard() {
  document.getElementById("export-customer").addEventListener("click", () => {
    exportCustomer().catch(showDashboardError);
  });
  document.getElementById("erase-customer").addEventListener("click", () => {
    eraseCustomer().catch(showDashboardError);
  });
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = document.getElementById("token-input").value.trim();
    if (token) openDashboard(token);
  });
  const saved = sessionStorage.getItem(tokenKey);
  if (saved) openDashboard(saved);
}

document.addEventListener("DOMContentLoaded", () => {
  startPlayground();
  startDashboard();
});
