/*
 * Centric chat widget: the FAQ bot and, when it cannot help, a person. Embed it on any page:
 *   <script src="https://HOST/static/chat/widget.js" defer></script>
 * Optional attributes: data-lang="en|zh" (default: the page's language), data-title="…",
 * data-visitor="<signed visitor token>" (a known customer). It talks only to HOST's public
 * chat API with the conversation's token in the X-Chat-Token header; the token stays in
 * sessionStorage (this tab), never in a cookie or an address. No dependencies, no tracking.
 * Messages are inserted as text, never as HTML. New messages arrive over Server-Sent Events
 * (read with fetch, which can send the token header) or, failing that, by polling.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.CentricChat) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var api = origin + "/api/v1/chat/conversations";
  var wanted = (script.dataset.lang || document.documentElement.lang || navigator.language || "en").toLowerCase();
  var lang = wanted.indexOf("zh") === 0 ? "zh" : "en";
  var T = {
    en: {open: "Chat with us", title: "Ask us", close: "Close the chat window", hello: "Hi! Ask me anything about your stay.",
         placeholder: "Your question", label: "Your message", send: "Send", yes: "Yes", no: "No",
         person: "Talk to a person", end: "End chat", more: "Read the full answer", related: "Related questions",
         survey: "Answer the survey", email: "Your e-mail (optional)", leave: "Leave my e-mail",
         waiting: "Waiting for a person to reply…", ended: "This chat has ended.", restart: "Start a new chat",
         error: "Sorry, that did not go through. Please try again.", you: "You", bot: "Assistant", agent: "Team",
         system: "Chat"},
    zh: {open: "在线咨询", title: "向我们提问", close: "关闭聊天窗口", hello: "您好！关于住宿的任何问题都可以问我。",
         placeholder: "您的问题", label: "您的消息", send: "发送", yes: "是", no: "否",
         person: "转人工客服", end: "结束对话", more: "查看完整回答", related: "相关问题",
         survey: "填写问卷", email: "您的电子邮件（选填）", leave: "留下邮件地址",
         waiting: "正在等待工作人员回复…", ended: "此对话已结束。", restart: "开始新的对话",
         error: "抱歉，发送失败，请重试。", you: "您", bot: "智能助手", agent: "客服", system: "系统"}
  }[lang];
  var KEY = "centric-chat:" + origin;
  var state = load();
  var shown = {};
  var listening = false;
  var canStream = true;

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save() {
    try { window.sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
  }
  function randomKey() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var css = el("link");
  css.rel = "stylesheet";
  css.href = origin + "/static/chat/widget.css";
  document.head.appendChild(css);

  var root = el("div", "cw-root");
  root.lang = lang === "zh" ? "zh-Hans" : "en";
  var launcher = el("button", "cw-launcher", T.open);
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "cw-panel");
  var panel = el("section", "cw-panel");
  panel.id = "cw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cw-heading");
  var head = el("header", "cw-head");
  var heading = el("h2", "cw-heading", script.dataset.title || T.title);
  heading.id = "cw-heading";
  var closer = el("button", "cw-close", "\u00d7");
  closer.type = "button";
  closer.setAttribute("aria-label", T.close);
  head.appendChild(heading);
  head.appendChild(closer);
  var log = el("div", "cw-log");  // role=log: its items are no list's
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.tabIndex = 0;
  var status = el("p", "cw-status");
  status.setAttribute("role", "status");
  var form = el("form", "cw-compose");
  var label = el("label", "cw-sr", T.label);
  label.htmlFor = "cw-input";
  var input = el("textarea");
  input.id = "cw-input";
  input.rows = 2;
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  var sendButton = el("button", "cw-send", T.send);
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);
  var emailForm = el("form", "cw-email");
  emailForm.hidden = true;
  var emailLabel = el("label", "", T.email);
  emailLabel.htmlFor = "cw-email-input";
  var email = el("input");
  email.id = "cw-email-input";
  email.type = "email";
  email.autocomplete = "email";
  email.maxLength = 320;
  var emailButton = el("button", "", T.leave);
  emailButton.type = "submit";
  emailForm.appendChild(emailLabel);
  emailForm.appendChild(email);
  emailForm.appendChild(emailButton);
  var foot = el("div", "cw-foot");
  var personButton = el("button", "cw-person", T.person);
  personButton.type = "button";
  var endButton = el("button", "cw-end", T.end);
  endButton.type = "button";
  foot.appendChild(personButton);
  foot.appendChild(endButton);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(emailForm);
  panel.appendChild(form);
  panel.appendChild(foot);
  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  function call(method, path, body) {
    var headers = {"Content-Type": "application/json"};
    if (state && state.token) { headers["X-Chat-Token"] = state.token; }
    return fetch(api + path, {method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                              credentials: "omit", cache: "no-store"}).then(function (answer) {
      if (answer.status === 401 || answer.status === 404) { forget(); }
      if (!answer.ok) { throw new Error("HTTP " + answer.status); }
      return answer.json();
    });
  }

  function forget() {
    state = null;
    shown = {};
    save();
  }

  function start() {
    if (state && state.token) { return Promise.resolve(state); }
    var startKey = (state && state.startKey) || randomKey();  // a retry after a lost answer: the same conversation
    state = {startKey: startKey};
    save();
    return call("POST", "", {channel: "widget", language: lang, page_url: window.location.href.slice(0, 500),
                             start_key: startKey, visitor_token: script.dataset.visitor || null})
      .then(function (out) {
        state = {id: out.conversation.id, token: out.token, last: 0, status: out.conversation.status,
                 emailed: false};
        save();
        apply(out.conversation.status, out.conversation.messages);
        return state;
      });
  }

  function apply(newStatus, messages) {
    messages.forEach(render);
    if (state && newStatus) {
      state.status = newStatus;
      save();
    }
    refresh();
  }

  function refresh() {
    var current = state && state.status;
    var closed = current === "closed";
    status.textContent = closed ? T.ended : (current === "waiting" ? T.waiting : "");
    form.hidden = closed;
    personButton.hidden = !state || current !== "bot";
    endButton.textContent = closed ? T.restart : T.end;
    endButton.hidden = !state || !state.id;
    emailForm.hidden = !(current === "waiting" || current === "agent") || state.emailed || !!script.dataset.visitor;
    if ((current === "waiting" || current === "agent") && !listening) { listen(); }
  }

  function link(text, url, className) {
    var a = el("a", className || "", text);
    a.href = new URL(url, origin).href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function actions(message) {
    var box = el("div", "cw-actions");
    function button(text, onClick) {
      var b = el("button", "", text);
      b.type = "button";
      b.addEventListener("click", function () { clearActions(); onClick(); });
      box.appendChild(b);
    }
    if (message.asks_helpful) {
      box.appendChild(el("p", "cw-prompt", message.prompt));
      button(T.yes, function () { act("/feedback", {message_id: message.id, helpful: true}); });
      button(T.no, function () { act("/feedback", {message_id: message.id, helpful: false}); });
    }
    if (message.asks_helpful || message.offers_handoff) {
      button(T.person, function () { act("/handoff"); });
    }
    return box.childNodes.length ? box : null;
  }

  function clearActions() {
    Array.prototype.forEach.call(log.querySelectorAll(".cw-actions"), function (box) { box.remove(); });
  }

  function render(message) {
    if (shown[message.id]) { return; }
    shown[message.id] = true;
    if (state) { state.last = Math.max(state.last || 0, message.id); }
    clearActions();
    var item = el("div", "cw-msg cw-" + message.author + " cw-kind-" + message.kind);
    var who = message.author === "agent" && message.author_name ? message.author_name : T[message.author];
    item.appendChild(el("span", "cw-who", who));
    if (message.article) {
      var title = el("p", "cw-title");
      title.appendChild(link(message.article.title, message.article.url));
      item.appendChild(title);
    }
    item.appendChild(el("p", "cw-body", message.body));
    if (message.article) { item.appendChild(link(T.more, message.article.url, "cw-more")); }
    if (message.alternatives && message.alternatives.length) {
      item.appendChild(el("p", "cw-related", T.related));
      var list = el("ul", "cw-alts");
      message.alternatives.forEach(function (alt) {
        var li = el("li");
        li.appendChild(link(alt.title, alt.url));
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    if (message.link) { item.appendChild(link(T.survey, message.link, "cw-survey")); }
    var box = actions(message);
    if (box) { item.appendChild(box); }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    save();
  }

  function act(suffix, body) {
    status.textContent = "";
    return start().then(function () {
      return call("POST", "/" + state.id + suffix, body);
    }).then(function (turn) {
      apply(turn.status, turn.messages);
    }).catch(function () {
      status.textContent = T.error;
      refresh();
    });
  }

  function listen() {
    if (!state || !state.id || listening) { return; }
    listening = true;
    var stream = canStream && window.ReadableStream && window.TextDecoder;
    (stream ? streamOnce() : pollOnce()).then(function () {
      listening = false;
      if (state && state.status !== "closed") { window.setTimeout(listen, stream ? 500 : 3000); }
    }, function () {
      listening = false;
      canStream = false;  // a proxy that buffers streams, an old browser: poll every 3 s instead
      if (state && state.status !== "closed") { window.setTimeout(listen, 3000); }
    });
  }

  function pollOnce(from) {
    var after = from === undefined ? (state.last || 0) : from;
    return call("GET", "/" + state.id + "?after=" + after).then(function (out) {
      apply(out.status, out.messages);
      return true;
    });
  }

  function streamOnce() {
    var headers = {"X-Chat-Token": state.token, "Accept": "text/event-stream"};
    return fetch(api + "/" + state.id + "/events?after=" + (state.last || 0), {headers: headers, credentials: "omit",
                                                                               cache: "no-store"})
      .then(function (answer) {
        if (!answer.ok || !answer.body) { throw new Error("HTTP " + answer.status); }
        var reader = answer.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function read() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return true; }
            buffer += decoder.decode(chunk.value, {stream: true});
            var parts = buffer.split("\n\n");
            buffer = parts.pop();
            parts.forEach(handle);
            return read();
          });
        }
        return read();
      });
  }

  function handle(block) {
    var kind = "message";
    var data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) { kind = line.slice(7); }
      if (line.indexOf("data: ") === 0) { data += line.slice(6); }
    });
    if (!data) { return; }
    var parsed = JSON.parse(data);
    if (kind === "message") { apply(null, [parsed]); }
    if (kind === "status") { apply(parsed.status, []); }
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("cw-open");
    if (!log.childNodes.length) {
      render({id: 0, author: "bot", kind: "text", body: T.hello});
      if (state && state.id) { pollOnce(0).then(refresh, refresh); }
    }
    refresh();
    input.focus();
  }

  function hide() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("cw-open");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) { open(); } else { hide(); } });
  closer.addEventListener("click", hide);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    sendButton.disabled = true;
    var clientKey = randomKey();
    act("/messages", {text: text, client_key: clientKey}).then(function () {
      sendButton.disabled = false;
      input.focus();
    });
  });
  personButton.addEventListener("click", function () { clearActions(); act("/handoff"); });
  endButton.addEventListener("click", function () {
    if (state && state.status === "closed") {
      forget();
      log.textContent = "";
      open();
      return;
    }
    act("/close");
  });
  emailForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!email.value.trim()) { return; }
    act("/contact", {email: email.value.trim()}).then(function () {
      state.emailed = true;
      save();
      refresh();
    });
  });

  window.CentricChat = {open: open, close: hide};
  if (state && state.id && state.status !== "closed") { refresh(); }
}());
