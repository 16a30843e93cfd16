() => {
  // The People tab's table select event runs this once the chosen person's quotes are drawn (app.wire_people).
  // On a narrow screen the quotes sit below the table, out of sight: the page scrolls them into view. On a wide
  // screen (the same width as passage.js's) they are beside the table, and nothing moves.
  if (window.innerWidth >= 900) return;
  const show = () => document.querySelector("#qa-person")?.scrollIntoView({ block: "start" });
  requestAnimationFrame(() => requestAnimationFrame(show));
}
