() => {
  // Take the conversation to a doctor: copy it, print it (or save as PDF), keep it across a reload.
  // Nothing here talks to the server. The words come from bot/messages.py through the data-*
  // attributes of #ldn-texts (rendered by the server), so this file holds no wording of its own.
  // The conversation is kept in sessionStorage: it survives a reload of this tab and is gone when
  // the tab is closed (a shared computer keeps nothing), and "Start a new chat" removes it at once.
  const KEY = "ldn-chat-v1";
  const MAX_CHARS = 2000000; // sessionStorage holds ~5 MB; older turns are dropped beyond this
  const text = (name, fallback = "") => {
    const el = document.getElementById("ldn-texts");
    return (el && el.dataset[name]) || fallback;
  };
  const announce = (message) => {
    const el = document.getElementById("ldn-status");
    if (!el) return;
    el.textContent = "";
    setTimeout(() => { el.textContent = message; }, 30);
  };
  const dateText = () => new Date().toLocaleString(undefined, {
    year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const save = (history) => {
    try {
      let turns = Array.isArray(history) ? history.slice() : [];
      let body = JSON.stringify({ v: 1, history: turns });
      while (body.length > MAX_CHARS && turns.length > 2) {
        turns = turns.slice(2); // drop the oldest question and its reply
        body = JSON.stringify({ v: 1, history: turns });
      }
      if (turns.length) sessionStorage.setItem(KEY, body);
      else sessionStorage.removeItem(KEY);
    } catch (e) { /* storage full or off: the chat still works, it just will not survive a reload */ }
    return [];
  };
  const restore = () => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      return saved && saved.v === 1 && Array.isArray(saved.history) ? saved.history : [];
    } catch (e) { return []; }
  };
  const forget = () => { try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ } };

  // One print/copy layout of the whole conversation (not just the visible part of the chat box).
  const buildPrint = () => {
    let out = document.getElementById("ldn-print");
    if (!out) {
      out = document.createElement("section");
      out.id = "ldn-print";
      out.setAttribute("aria-hidden", "true");
      document.body.appendChild(out);
    }
    out.replaceChildren();
    const h1 = document.createElement("h1");
    h1.textContent = text("title", document.title);
    const when = document.createElement("p");
    when.className = "ldn-print-date";
    when.textContent = text("printed", "{date}").replace("{date}", dateText());
    const about = document.createElement("p");
    about.className = "ldn-print-about";
    about.textContent = text("about");
    out.append(h1, when, about);
    let n = 0;
    document.querySelectorAll('#ldn-chat [data-testid="user"], #ldn-chat [data-testid="bot"]').forEach((msg) => {
      if (msg.dataset.testid === "user") {
        n += 1;
        const h2 = document.createElement("h2");
        h2.className = "ldn-print-question";
        h2.textContent = `${text("question", "Question")} ${n}: ${msg.innerText.trim()}`;
        out.appendChild(h2);
        return;
      }
      const reply = msg.querySelector(".ldn-reply");
      if (!reply) return;
      const copy = reply.cloneNode(true);
      copy.querySelectorAll(".ldn-noprint, .ldn-sr-only, summary, button, details.ldn-context, .ldn-suggestions")
        .forEach((el) => el.remove());
      copy.querySelectorAll("details").forEach((el) => { // on paper, what sits behind a "?" is shown as is
        const open = document.createElement("div");
        open.className = el.className;
        open.append(...el.childNodes);
        el.replaceWith(open);
      });
      copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
      copy.querySelectorAll("a[href^='/source/']").forEach((a) => {
        a.setAttribute("href", new URL(a.getAttribute("href"), location.href).href);
      });
      out.appendChild(copy);
    });
    const sources = document.querySelector(".ldn-sources-box");
    if (sources) {
      const copy = sources.cloneNode(true);
      copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
      copy.removeAttribute("aria-labelledby");
      out.appendChild(copy);
    }
    return { node: out, questions: n };
  };

  const plainText = () => {
    const { node, questions } = buildPrint();
    node.classList.add("ldn-print-measure"); // rendered off-screen for a moment, so innerText keeps line breaks
    const body = node.innerText.replace(/\n{3,}/g, "\n\n").trim();
    node.classList.remove("ldn-print-measure");
    return { body, questions };
  };

  const copyText = async () => {
    const { body, questions } = plainText();
    if (!questions) { announce(text("nothing", "")); return false; }
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(body);
      } else { // plain http on a local network: the old way
        const area = document.createElement("textarea");
        area.value = body;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.left = "-9999px";
        document.body.appendChild(area);
        area.select();
        const ok = document.execCommand("copy");
        area.remove();
        if (!ok) throw new Error("copy refused");
      }
      announce(text("copied"));
      return true;
    } catch (e) {
      announce(text("copyFailed"));
      return false;
    }
  };

  const printChat = () => {
    const { questions } = buildPrint();
    if (!questions) { announce(text("nothing", "")); return false; }
    window.print();
    return true;
  };

  const confirmNewChat = () => {
    const hasChat = document.querySelector('#ldn-chat [data-testid="user"]') !== null;
    const ok = !hasChat || window.confirm(text("confirmNew", "?"));
    if (ok) forget();
    return ok;
  };

  window.addEventListener("beforeprint", () => { buildPrint(); }); // Ctrl+P prints the whole chat too
  window.ldn = Object.assign(window.ldn || {}, {
    save, restore, forget, buildPrint, plainText, copyText, printChat, confirmNewChat,
  });
  // A suggested question (a button.ldn-suggest; the chat's sanitiser drops data-* attributes,
  // so the question is the button's own text) is asked as if typed: fill the box, press Ask.
  const ask = (question) => {
    const box = document.querySelector("#ldn-question textarea");
    const send = document.querySelector("#ldn-send");
    if (!box || !send || !question) return;
    box.value = question;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => { send.click(); box.focus(); }, 50);
  };
  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest("[data-ldn-action], button.ldn-suggest");
    if (!target) return;
    if (target.classList.contains("ldn-suggest")) { event.preventDefault(); ask(target.innerText.trim()); return; }
    const action = target.dataset.ldnAction;
    if (action === "copy") copyText();
    else if (action === "print") printChat();
  });
  // Gradio's example list is role="list" without list items (axe: aria-required-children):
  // the buttons are a plain group of buttons, so the list role goes.
  const fixRoles = () => document.querySelectorAll('#ldn-chat .examples[role="list"]')
    .forEach((el) => el.removeAttribute("role"));
  new MutationObserver(fixRoles).observe(document.body, { subtree: true, childList: true });
  fixRoles();
  window.ldn.ask = ask;
}
