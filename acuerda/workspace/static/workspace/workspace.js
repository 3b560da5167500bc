// Keyboard shortcuts for the agent workspace. Everything works without this file; it only
// saves keystrokes: 0-9 pick a disposition, Ctrl+Enter saves the contact, Alt+N (or N on the
// queue page) takes the next account. Keys typed into a field are left alone.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function pick(key) {
    var label = Array.prototype.find.call(document.querySelectorAll("label.disposition"), function (el) {
      var kbd = el.querySelector("kbd");
      return kbd && kbd.textContent.trim() === key;
    });
    if (!label) return false;
    var radio = label.querySelector("input[type=radio]");
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    var note = document.getElementById("id_note");
    if (note) note.focus();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("interaction-form");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form && form.contains(event.target)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if ((event.altKey && (event.key === "n" || event.key === "N")) ||
        (!typing(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey && event.key.toLowerCase() === "n" &&
         document.querySelector("[data-hotkey-global='n']"))) {
      var next = document.getElementById("next-account");
      if (next) { event.preventDefault(); next.click(); }
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(event.key) && pick(event.key)) event.preventDefault();
  });
  // After "Call": the gate's decision is already in the form (htmx out-of-band swap); select
  // the dialled phone and the call channel so the agent only picks the disposition.
  document.addEventListener("htmx:afterSwap", function () {
    var dialled = document.querySelector("[data-dialled-point]");
    if (!dialled) return;
    var point = document.getElementById("id_contact_point");
    var channel = document.getElementById("id_channel");
    if (point) point.value = dialled.getAttribute("data-dialled-point");
    if (channel) channel.value = "call";
  });
  // The callback slot suggestion fills the time field when clicked.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-fill-moment]");
    if (!target) return;
    var field = document.getElementById("callback_due_at");
    if (field) { field.value = target.getAttribute("data-fill-moment"); field.dispatchEvent(new Event("change", { bubbles: true })); }
  });
})();
