() => {
  // Questions typed on the light page shown while the chat loaded (bot/web/boot.py) are kept in
  // session storage; ask them here, one after the other, as if typed, so nobody types twice.
  const KEY = "ldn-pending-questions";
  const waiting = JSON.parse(sessionStorage.getItem(KEY) || "[]");
  if (!waiting.length) return;
  sessionStorage.removeItem(KEY);
  const replies = () => document.querySelectorAll("#ldn-chat .ldn-reply").length;
  const askNext = () => {
    const box = document.querySelector("#ldn-question textarea");
    const send = document.querySelector("#ldn-send");
    if (!box || !send) { setTimeout(askNext, 100); return; }
    const before = replies();
    box.value = waiting.shift();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => send.click(), 50);
    const next = () => {
      if (!waiting.length) return;
      if (replies() > before) askNext(); else setTimeout(next, 200);
    };
    setTimeout(next, 200);
  };
  askNext();
}
