// A passage panel (the chat's, the People tab's): a click on a citation marker [n] asks the server
// for the cited article (already escaped HTML, the quote in <mark>) and scrolls the quote into view.
// Each panel registers itself; a click opens in the panel of the marker's own tab.
// `element`, `props`, `server` and `watch` come from gr.HTML's js_on_load.
// On a narrow screen the panel sits below the chat: the page itself scrolls to the quote, once the article
// is rendered (scrolling before that aims at the small placeholder the article then replaces).
let toPage = false;
const reveal = () => {
  const mark = element.querySelector("mark.qa-quote");
  const body = element.querySelector(".qa-passage-body");
  if (mark && body) body.scrollTop = mark.offsetTop - body.offsetTop - body.clientHeight / 3;
  if (mark && toPage) {
    toPage = false;
    mark.scrollIntoView({ block: "center" });
  }
};
const open = async (link) => {
  toPage = window.innerWidth < 900;
  props.value = await server.passage(link.getAttribute("href").slice(1));
  requestAnimationFrame(() => requestAnimationFrame(reveal));
};
window.qaPanels = (window.qaPanels || []).filter((p) => p.element.isConnected && p.element !== element);
window.qaPanels.push({ element, open });
window.qaOpenCitation = async (link) => {
  document.querySelectorAll("a.qa-cite-active").forEach((a) => a.classList.remove("qa-cite-active"));
  link.classList.add("qa-cite-active");
  const tab = link.closest('[role="tabpanel"]');
  const panels = window.qaPanels.filter((p) => p.element.isConnected);
  const panel = panels.find((p) => tab && tab.contains(p.element)) || panels[0];
  if (panel) await panel.open(link);
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
