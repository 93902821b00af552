() => {
  // After a reply: scroll the chat (not the page) so the question and the first lines of the
  // reply are in view; the emergency box and the first quote come first, not the advice.
  setTimeout(() => {
    const log = document.querySelector('#ldn-chat [role="log"]');
    const rows = log ? log.querySelectorAll(".message-row.user-row") : [];
    const last = rows[rows.length - 1];
    if (last) {
      log.scrollTop += last.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    }
  }, 60);
}
