() => {
  // Gradio puts each message's raw source (our HTML, with entities) in an aria-label;
  // screen readers should read the visible text instead.
  const strip = () => document
    .querySelectorAll('#ldn-chat [data-testid="bot"][aria-label], #ldn-chat [data-testid="user"][aria-label]')
    .forEach((el) => el.removeAttribute("aria-label"));
  new MutationObserver(strip).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"],
  });
  strip();
}
