// Switchboard's embeddable web chat. On any site whose origin is in WEB_CHAT_ORIGINS:
//   <script src="https://agent.example.com/widget.js" data-title="Questions? Ask us" defer></script>
// It adds a chat button and panel (in a shadow root, so the site's styles and the widget's do not
// mix) and speaks the web chat protocol (docs/web-chat.md) to the server the script came from. The
// visitor id is kept in this site's localStorage, so a returning visitor continues their
// conversation. Every text from the server is set with textContent, never as markup.
(() => {
  const script = document.currentScript;
  if (!script || window.switchboardWidget) return;
  const server = new URL(script.src);
  const chatUrl = `${server.protocol === "https:" ? "wss:" : "ws:"}//${server.host}/web/chat`;
  const title = script.dataset.title || "Chat with us";
  const visitorKey = `switchboard-visitor:${server.host}`;

  const host = document.createElement("div");
  host.className = "switchboard-widget";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
  [hidden] { display: none !important; }
  .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646; border: 0; border-radius: 24px;
    padding: 12px 18px; background: #1f5fbf; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgb(0 0 0 / 25%); }
  .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483647; width: min(360px, calc(100vw - 40px));
    height: min(520px, calc(100vh - 40px)); display: flex; flex-direction: column; background: #fff; color: #1b1b1b;
    border-radius: 12px; box-shadow: 0 8px 30px rgb(0 0 0 / 30%); overflow: hidden; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px;
    background: #1f5fbf; color: #fff; font-weight: 600; }
  header button { border: 0; background: none; color: inherit; font-size: 20px; cursor: pointer; }
  ol { flex: 1; margin: 0; padding: 12px; list-style: none; overflow-y: auto; }
  li { margin: 6px 0; padding: 8px 10px; border-radius: 10px; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
  li.user { margin-left: auto; background: #1f5fbf; color: #fff; }
  li.assistant { background: #eef1f5; }
  .status { margin: 0; padding: 4px 12px; min-height: 1.4em; color: #666; font-size: 12px; }
  .status.error { color: #b00020; }
  form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e2e2e2; }
  input { flex: 1; padding: 8px; border: 1px solid #c8c8c8; border-radius: 8px; }
  form button { border: 0; border-radius: 8px; padding: 8px 12px; background: #1f5fbf; color: #fff; cursor: pointer; }
</style>
<button class="launcher" type="button" aria-haspopup="dialog"></button>
<section class="panel" role="dialog" hidden>
  <header><span class="title"></span><button class="close" type="button" aria-label="Close">×</button></header>
  <ol class="log" aria-live="polite"></ol>
  <p class="status" role="status"></p>
  <form><input class="text" autocomplete="off" maxlength="4000" aria-label="Your message"><button type="submit">Send</button></form>
</section>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher");
  const panel = $(".panel");
  const log = $(".log");
  const status = $(".status");
  const input = $(".text");
  launcher.textContent = title;
  $(".title").textContent = title;
  panel.setAttribute("aria-label", title);

  let socket;
  let open = false;
  let retries = 0;
  let everConnected = false;
  let sent = 0;
  const replies = new Map();

  function setStatus(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  function line(role, text) {
    const item = document.createElement("li");
    item.className = role;
    item.textContent = text;
    log.append(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function connect() {
    let visitor = null;
    try {
      visitor = localStorage.getItem(visitorKey);
    } catch {}
    socket = new WebSocket(visitor ? `${chatUrl}?visitor=${encodeURIComponent(visitor)}` : chatUrl);
    setStatus("Connecting…");
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener("close", () => {
      socket = undefined;
      if (!open) return;
      const delay = Math.min(30_000, 1000 * 2 ** retries++);
      setStatus(`Cannot reach the assistant; trying again in ${Math.round(delay / 1000)} s.`, true);
      // The browser hides why a WebSocket was refused; the most common cause is a site not allowed.
      if (!everConnected && retries === 1)
        console.warn(
          `Switchboard: the chat cannot connect to ${chatUrl}. If the server's log says this origin may not open a web chat, add ${window.location.origin} to WEB_CHAT_ORIGINS.`,
        );
      setTimeout(() => {
        if (open && !socket) connect();
      }, delay);
    });
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "ready":
        retries = 0;
        everConnected = true;
        try {
          localStorage.setItem(visitorKey, frame.visitorId);
        } catch {}
        log.replaceChildren();
        for (const item of frame.history ?? []) line(item.role === "user" ? "user" : "assistant", item.text);
        setStatus("");
        break;
      case "turn-start":
        replies.set(frame.turnId, line("assistant", ""));
        setStatus("");
        break;
      case "text": {
        const item = replies.get(frame.turnId);
        if (item) item.textContent += frame.delta;
        log.scrollTop = log.scrollHeight;
        break;
      }
      case "turn-end": {
        const item = replies.get(frame.turnId);
        if (item) item.textContent = frame.text;
        replies.delete(frame.turnId);
        break;
      }
      case "error":
        setStatus(frame.message ?? "Something went wrong.", true);
        break;
      default:
        break;
    }
  }

  function show(visible) {
    open = visible;
    panel.hidden = !visible;
    launcher.hidden = visible;
    if (visible) {
      if (!socket) connect();
      input.focus();
    }
  }

  launcher.addEventListener("click", () => show(true));
  $(".close").addEventListener("click", () => {
    show(false);
    launcher.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    show(false);
    launcher.focus();
  });
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      setStatus("Not connected yet; your message was not sent.", true);
      return;
    }
    socket.send(JSON.stringify({ type: "message", text, id: `w${++sent}` }));
    line("user", text);
    input.value = "";
  });

  window.switchboardWidget = { open: () => show(true), close: () => show(false) };
  if (document.body) document.body.append(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(host));
})();
