// The date and time fields of the job-hunt forms are text, so that "Dec 2, 2026 10:00"
// can be typed. With JavaScript on, each also gets the browser's own calendar beside it:
// picking there writes the text field, and a typed ISO value shows in the calendar.
(function () {
  "use strict";
  var ISO = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}))?/;

  function fromText(text, withTime) {
    var match = ISO.exec(text.trim());
    if (!match) return "";
    if (!withTime) return match[1];
    return match[2] ? match[1] + "T" + match[2] : "";
  }

  function connect(picker) {
    var field = document.getElementById(picker.getAttribute("data-picker-for"));
    if (!field) return;
    var withTime = picker.type === "datetime-local";
    picker.hidden = false;
    picker.value = fromText(field.value, withTime);
    picker.addEventListener("change", function () {
      if (picker.value) field.value = picker.value.replace("T", " ");
    });
    field.addEventListener("change", function () {
      picker.value = fromText(field.value, withTime);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pickers = document.querySelectorAll("input.jh-picker[data-picker-for]");
    for (var i = 0; i < pickers.length; i++) connect(pickers[i]);
  });
})();
