// Progressive enhancement only: every page works without this file.
// Ticking a filter or choosing a sort order submits the search form, and focus returns
// to the same control after the page reloads, so keyboard users keep their place.
(function () {
  "use strict";
  var KEY = "arkiv-focus";
  var form = document.getElementById("sok");
  if (!form) { return; }

  var notes = form.querySelectorAll(".js-only");
  for (var i = 0; i < notes.length; i++) { notes[i].hidden = false; }

  function remember(el) {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ name: el.name, value: el.value }));
    } catch (e) { /* storage may be unavailable: focus is then simply not restored */ }
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    if ((el.type === "checkbox" && el.closest(".facet")) || el.id === "sort") {
      remember(el);
      form.submit();
    }
  });

  var saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
  } catch (e) { saved = null; }
  if (saved) {
    var controls = form.elements;
    for (var j = 0; j < controls.length; j++) {
      var c = controls[j];
      if (c.name === saved.name && (c.id === "sort" || c.value === saved.value)) {
        var details = c.closest("details");
        if (details) { details.open = true; }
        c.focus();
        break;
      }
    }
  }
})();
