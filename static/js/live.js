// Live availability (progressive enhancement). htmx's SSE extension swaps the fragments; this file only
// keeps a traveller's seat selection across a live seat-map swap and says which chosen seats were taken.
// Without JavaScript or EventSource the pages work as rendered; nothing here is required.
(function () {
  "use strict";

  function selected(root) {
    var chosen = [];
    root.querySelectorAll("input[type=checkbox]:checked, input[type=radio]:checked").forEach(function (input) {
      chosen.push({ name: input.name, value: input.value });
    });
    return chosen;
  }

  function find(root, name, value) {
    var inputs = root.querySelectorAll("input[type=checkbox], input[type=radio]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].name === name && inputs[i].value === value) return inputs[i];
    }
    return null;
  }

  function announce(root, text) {
    // The page's polite live region (#messages in base.html), unless the region names its own.
    var id = root.getAttribute("data-live-note");
    var box = (id && document.getElementById(id)) || document.getElementById("messages");
    if (!box) return;
    var note = document.createElement("p");
    note.className = "flash flash-warning";
    note.textContent = text;
    box.appendChild(note);
  }

  // Before the SSE extension swaps a region marked data-live-preserve, remember what was chosen in it.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var root = event.target;
    if (root.hasAttribute && root.hasAttribute("data-live-preserve")) {
      root._liveChosen = selected(root);
    }
  });

  // After the swap, choose the same seats again; a seat now taken (disabled or gone) stays unchosen.
  document.addEventListener("htmx:sseMessage", function (event) {
    var root = event.target;
    if (!root.hasAttribute || !root.hasAttribute("data-live-preserve") || !root._liveChosen) return;
    var lost = [];
    root._liveChosen.forEach(function (choice) {
      var input = find(root, choice.name, choice.value);
      if (input && !input.disabled) {
        input.checked = true;
      } else {
        lost.push(choice.value);
      }
    });
    root._liveChosen = null;
    if (lost.length) {
      announce(root, (lost.length === 1 ? "Seat " + lost[0] + " was" : "Seats " + lost.join(", ") + " were") +
        " just booked by another traveller and removed from your selection. Please choose another seat.");
    }
    var form = root.closest("form") || root.querySelector("form");
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
