// Progressive enhancement only: every page works without this file.
// After htmx swaps in the answer area, move keyboard and screen-reader focus to what is
// new in it, and bring that to the top of the screen so that what follows is in view on
// a phone: the feedback's verdict (a conversation's ending too); else a refused answer's
// error, above the form; else the conversation's newest message, its replies below it.
document.addEventListener("htmx:afterSwap", function (event) {
  var area = document.getElementById("answer-area");
  if (!area || !event.detail.target || event.detail.target.id !== "answer-area") {
    return;
  }
  var where =
    area.querySelector("#feedback") ||
    area.querySelector("#answer-error") ||
    area.querySelector("#now") ||
    area.querySelector("input[name=reply]");
  if (where) {
    where.focus({ preventScroll: true });
    where.scrollIntoView({ block: "start" });
  }
});

// With DEBUG on, django-htmx's script shows a 400 response as the whole page (Django's
// error page). The answer area refused (400, 409, 429) is swapped in with its message:
// the responses that base.html's htmx-config swaps without an error are kept from that
// script (it listens on the document, after this capturing listener), as without DEBUG.
document.addEventListener(
  "htmx:beforeOnLoad",
  function (event) {
    var status = String(event.detail.xhr.status);
    var rules = (window.htmx && window.htmx.config.responseHandling) || [];
    for (var i = 0; i < rules.length; i++) {
      if (new RegExp(rules[i].code).test(status)) {
        if (status.charAt(0) === "4" && rules[i].swap && !rules[i].error) {
          event.stopPropagation();
        }
        return;
      }
    }
  },
  true
);
