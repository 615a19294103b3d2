// Progressive enhancement only: every page works without this file.
// Ticking a filter or choosing a sort order submits the search form, and focus returns
// to the same control after the page reloads, so keyboard users keep their place.
(function () {
  "use strict";
  var KEY = "arkiv-focus";

  // "/" goes to the page's search box from anywhere but another field; Esc leaves the box.
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("#q, input[type='search']");
    if (!box || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/" && !typing(document.activeElement)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && document.activeElement === box) {
      event.preventDefault();  // a search field would otherwise empty itself
      box.blur();
    }
  });

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
        // Open every fold around it (the phone's "Avgränsa", a facet's "Visa fler").
        for (var d = c.closest("details"); d; d = d.parentElement.closest("details")) { d.open = true; }
        c.focus();
        break;
      }
    }
  }
})();
