// Progressive enhancement only: every page works without this file.
// After htmx swaps in the feedback, move keyboard and screen-reader focus to it, and
// bring its verdict to the top of the screen so that the way on is in view on a phone.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = document.getElementById("feedback");
  if (heading && event.detail.target && event.detail.target.id === "answer-area") {
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
  }
});
