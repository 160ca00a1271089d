// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  // Move focus to the first field with an error after a form comes back from the server.
  // event.target is the swapped-in element (detail.target is the old one after an outerHTML swap).
  var root = event.target;
  var invalid = root.matches("[aria-invalid=true]") ? root : root.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
});
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("messages");
  if (box) {
    var status = event.detail.xhr.status;
    var text = status === 429 ? "Too many attempts. Please wait a moment and try again."
      : status >= 500 ? "Something went wrong on our side. Please try again."
      : "That did not work. Please check and try again.";
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    box.appendChild(p);
  }
});
// City pickers: with htmx present the server's type-ahead list replaces the browser's <datalist>.
function enhancePickers(root) {
  (root || document).querySelectorAll("input[data-typeahead]").forEach(function (input) {
    input.removeAttribute("list");
  });
}
document.addEventListener("htmx:load", function (event) { enhancePickers(event.detail.elt); });
document.addEventListener("DOMContentLoaded", function () { enhancePickers(document); });
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;  // undefined for a live update swapped in by the sse extension
  if (target && target.classList && target.classList.contains("suggestions")) {
    var input = document.querySelector('[aria-controls="' + target.id + '"]');
    if (input) input.setAttribute("aria-expanded", target.querySelector("button") ? "true" : "false");
  }
  // A suggestion was picked: the picker came back filled in (outerHTML). Focus goes back to its field only if it
  // left with the removed suggestion button; a traveller already typing in the next field keeps typing there.
  var picker = event.target;
  if (picker.classList && picker.classList.contains("picker")) {
    var active = document.activeElement;
    if (!active || active === document.body) {
      var field = picker.querySelector("input[data-typeahead]");
      if (field) field.focus();
    }
  }
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape" && event.target.matches && event.target.matches("input[data-typeahead]")) {
    var box = document.getElementById(event.target.getAttribute("aria-controls"));
    if (box) box.innerHTML = "";
    event.target.setAttribute("aria-expanded", "false");
  }
});
// A table that scrolls sideways (phones) must be reachable by keyboard to scroll it: make it a focusable region.
function focusableScrollers() {
  document.querySelectorAll(".table-wrap").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    } else if (box.getAttribute("tabindex") === "0" && !box.hasAttribute("role")) {
      box.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
window.addEventListener("resize", function () { clearTimeout(window.__tgScrollers); window.__tgScrollers = setTimeout(focusableScrollers, 150); });
// Checkout: the hold's time left counts down live (the server-rendered figure works without this).
function startCountdowns() {
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var end = Date.now() + parseInt(el.getAttribute("data-countdown"), 10) * 1000;
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      el.textContent = Math.floor(left / 60) + " min " + String(left % 60).padStart(2, "0") + " s";
      if (left > 0) setTimeout(tick, 1000);
    }
    tick();
  });
}
document.addEventListener("DOMContentLoaded", startCountdowns);
// Tickets: a Print button (the page prints without menus; without JavaScript the browser's own Print does it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
