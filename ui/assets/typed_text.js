() => {
  // The user's chat messages reach the browser as inert HTML (ui/chatbot.py): "&#60;b&#62;", shown as "<b>".
  // Gradio also names each message for screen readers with that HTML (its aria-label), and its copy button
  // copies it, so both gave escape codes; here both get the typed text back. The server cannot send the
  // typed text itself: Gradio would render it as Markdown and HTML, and fetch an <img> in it.
  const typed = (html) => // ui.format.typed_text: inert writes only "<br>" and "&#N;"
    html.replace(/<br>/g, "\n").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)));
  const PREFIX = "user's message: ";
  const named = new WeakMap(); // message -> the name given here, so that a name is never decoded twice
  const rename = () => {
    for (const message of document.querySelectorAll("#qa-chatbot [data-testid=user]")) {
      const label = message.getAttribute("aria-label") || "";
      if (named.get(message) === label || !label.startsWith(PREFIX)) continue;
      named.set(message, PREFIX + typed(label.slice(PREFIX.length)));
      message.setAttribute("aria-label", named.get(message));
    }
  };
  new MutationObserver(rename).observe(document.body, { subtree: true, childList: true, attributeFilter: ["aria-label"] });

  // The user's message has its buttons on the right; Gradio copies in the same click (navigator.clipboard, or
  // without it, as on plain http beyond localhost, a selected textarea and a "copy" event).
  let fromUser = false;
  const copied = (text) => (fromUser ? typed(text) : text);
  document.addEventListener("click", (event) => {
    fromUser = Boolean(event.target.closest?.("#qa-chatbot .message-buttons-right"));
    setTimeout(() => (fromUser = false));
  }, true);
  if (navigator.clipboard) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(copied(text));
  }
  document.addEventListener("copy", (event) => {
    const box = document.activeElement;
    if (!fromUser || !(box instanceof HTMLTextAreaElement)) return;
    event.clipboardData.setData("text/plain", copied(box.value));
    event.preventDefault();
  }, true);
}
