// Progressive enhancement only: every page works without this file.
// After htmx swaps in the feedback, move keyboard and screen-reader focus to it.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = document.getElementById("feedback");
  if (heading && event.detail.target && event.detail.target.id === "answer-area") {
    heading.focus();
  }
});
