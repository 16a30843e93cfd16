// The passage panel: a click on a citation marker [n] anywhere in the chat asks the server for
// the cited article (already escaped HTML, the quote in <mark>) and scrolls the quote into view.
// `element`, `props`, `server` and `watch` come from gr.HTML's js_on_load.
const reveal = () => {
  const mark = element.querySelector("mark.qa-quote");
  const body = element.querySelector(".qa-passage-body");
  if (mark && body) body.scrollTop = mark.offsetTop - body.offsetTop - body.clientHeight / 3;
};
window.qaOpenCitation = async (link) => {
  document.querySelectorAll("a.qa-cite-active").forEach((a) => a.classList.remove("qa-cite-active"));
  link.classList.add("qa-cite-active");
  props.value = await server.passage(link.getAttribute("href").slice(1));
  requestAnimationFrame(() => requestAnimationFrame(reveal));
  if (window.innerWidth < 900) element.scrollIntoView({ block: "start" });
};
watch("value", reveal);
if (!window.qaCitationClicks) {
  window.qaCitationClicks = true;
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#qa-cite:"]');
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      window.qaOpenCitation(link);
    },
    true,
  );
}
