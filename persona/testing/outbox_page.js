// The outbox page's live updates, filter and copy buttons. The page works without this
// file (reload to see new mail, submit the filter form); with it, new mail appears by
// itself. Every value goes into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const list = document.getElementById("messages");
  if (!list) {
    return; // the request view
  }
  const status = document.getElementById("status");
  const empty = document.getElementById("empty");
  const filter = document.getElementById("email");

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) {
      node.className = className;
    }
    return node;
  }

  function pair(dl, term, value) {
    dl.append(text("dt", term));
    const dd = document.createElement("dd");
    dd.append(value);
    dl.append(dd);
    return dd;
  }

  function time(value) {
    const node = text("time", value);
    node.dateTime = value;
    return node;
  }

  // What the page says of each state; the server's page says the same (outbox_web.py).
  const STATES = {
    live: "Live",
    replaced: "Replaced by a newer code",
    used: "Used",
    expired: "Expired",
  };

  function render(message, fresh) {
    const item = document.createElement("li");
    const state = Object.hasOwn(STATES, message.state) ? message.state : "expired";
    item.className = "message state-" + state + (fresh ? " new" : "");
    item.dataset.id = String(message.id);
    item.dataset.state = state;
    item.dataset.email = message.to.toLowerCase();
    const article = document.createElement("article");
    article.setAttribute("aria-labelledby", "subject-" + message.id);
    const dl = document.createElement("dl");
    pair(dl, "To", message.to).className = "to";
    pair(dl, "Subject", message.subject).id = "subject-" + message.id;
    pair(dl, "Sent", time(message.sent_at));
    pair(dl, "State", STATES[state]).className = "state";
    const code = document.createElement("p");
    code.className = "code";
    code.append(text("span", message.code, "code-value"));
    const button = text("button", "Copy", "copy");
    button.type = "button";
    button.dataset.code = message.code;
    button.setAttribute("aria-label", "Copy code " + message.code);
    code.append(button);
    const expires = text("p", "Expires ", "expires");
    expires.append(time(message.expires_at));
    article.append(dl, code, expires);
    item.append(article);
    return item;
  }

  function applyFilter() {
    const wanted = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const item of list.children) {
      const visible = !wanted || item.dataset.email.includes(wanted);
      item.hidden = !visible;
      shown += visible ? 1 : 0;
    }
    status.textContent = shown + (shown === 1 ? " message" : " messages");
    empty.hidden = list.children.length > 0;
  }

  async function refresh() {
    const reply = await fetch("/outbox/api/messages?limit=500", { cache: "no-store" });
    if (!reply.ok) {
      return;
    }
    const known = new Set(Array.from(list.children, (item) => item.dataset.id));
    const messages = (await reply.json()).messages;
    const items = messages.map((m) => render(m, known.size > 0 && !known.has(String(m.id))));
    list.replaceChildren(...items);
    applyFilter();
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button.copy");
    if (!button) {
      return;
    }
    try {
      await navigator.clipboard.writeText(button.dataset.code);
      button.textContent = "Copied";
    } catch (error) {
      button.textContent = "Select and copy";
      const range = document.createRange();
      range.selectNodeContents(button.previousElementSibling);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });

  // Filter as you type; the form still submits (and works) without JavaScript.
  filter.addEventListener("input", applyFilter);
  filter.form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilter();
  });

  const events = new EventSource("/outbox/api/events");
  events.addEventListener("outbox", () => { refresh(); });
  events.addEventListener("open", () => {
    document.body.dataset.live = "true"; // new mail now appears by itself
    refresh(); // and catch up with what came while the stream was down
  });
  applyFilter();
})();
