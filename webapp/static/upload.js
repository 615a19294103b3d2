// The upload form, enhanced: drag and drop, the chosen files listed, only the chosen
// group's meetings offered, the new-meeting fields shown only for a new meeting.
// Without this file the form works as it is (a plain file input, every meeting listed).
(function () {
  "use strict";
  var form = document.getElementById("uppladdning");
  if (!form) { return; }
  var input = document.getElementById("files");
  var zone = document.getElementById("slapp-har");
  var list = document.getElementById("valda-filer");
  var group = document.getElementById("group");
  var meeting = document.getElementById("meeting");
  var fresh = document.getElementById("nytt-mote");

  function showFiles() {
    list.textContent = "";
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      li.textContent = input.files[i].name;
      list.appendChild(li);
    }
  }

  function addFiles(files) {
    var all = new DataTransfer();
    var i;
    for (i = 0; i < input.files.length; i++) { all.items.add(input.files[i]); }
    for (i = 0; i < files.length; i++) { all.items.add(files[i]); }
    input.files = all.files;
    showFiles();
  }

  if (zone && typeof DataTransfer === "function") {
    zone.hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) { addFiles(e.dataTransfer.files); }
    });
  }
  input.addEventListener("change", showFiles);

  function filterMeetings() {
    var groups = meeting.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var other = group.value !== "" && groups[i].getAttribute("data-group") !== group.value;
      groups[i].hidden = other;
      groups[i].disabled = other;
    }
    var chosen = meeting.options[meeting.selectedIndex];
    if (chosen && chosen.parentNode.disabled) { meeting.value = "ny"; }
    toggleNew();
  }

  function toggleNew() {
    fresh.hidden = meeting.value !== "ny";
  }

  group.addEventListener("change", filterMeetings);
  meeting.addEventListener("change", toggleNew);
  filterMeetings();
})();
