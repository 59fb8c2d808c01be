// Progressive enhancement only: every page works without this file.
// After htmx swaps in the answer area, move keyboard and screen-reader focus to what is
// new in it, and bring that to the top of the screen so that what follows is in view on
// a phone: the feedback's verdict (a conversation's ending too); else the conversation's
// newest message, its replies below it.
document.addEventListener("htmx:afterSwap", function (event) {
  var area = document.getElementById("answer-area");
  if (!area || !event.detail.target || event.detail.target.id !== "answer-area") {
    return;
  }
  var where =
    area.querySelector("#feedback") ||
    area.querySelector("#now") ||
    area.querySelector("input[name=reply]");
  if (where) {
    where.focus({ preventScroll: true });
    where.scrollIntoView({ block: "start" });
  }
});
