// Live availability (progressive enhancement). htmx's SSE extension does the work declared in the templates:
// badges are swapped from the stream, and the seat map re-fetches itself on `availability` (the server drops
// a chosen seat that was taken and says so in the map's status line). This file only repeats that news in
// the page's persistent live region, because the map's own status line is replaced with the map, and a
// freshly inserted live region is often not read out. Without JavaScript the pages work as rendered.
(function () {
  "use strict";
  var chosenBefore = null;

  function chosenSeats(form) {
    var seats = [];
    if (!form) return seats;
    form.querySelectorAll("input[type=hidden][name=seats]").forEach(function (input) {
      seats.push(input.value);
    });
    return seats;
  }

  function announce(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    var note = document.createElement("p");
    note.className = "flash flash-warning";
    note.textContent = text;
    box.appendChild(note);
  }

  // The booking form (data-live-chosen-seats) listens to the trip's availability stream: if another traveller
  // books one of the chosen seats while this one types passenger names, say so before they press Book.
  document.addEventListener("htmx:sseOpen", function (event) {
    var form = event.target;
    var source = event.detail.source;
    var chosen = form.getAttribute && form.getAttribute("data-live-chosen-seats");
    if (!chosen || form._liveSource === source) return;
    form._liveSource = source;
    var seats = chosen.split(",").filter(Boolean);
    var warned = {};
    source.addEventListener("availability", function (message) {
      if (form._liveSubmitting) return;  // our own booking is about to take these seats
      var state;
      try { state = JSON.parse(message.data); } catch (e) { return; }
      var taken = seats.filter(function (label) {
        return !warned[label] && (state.unavailable_seats || []).indexOf(label) !== -1;
      });
      if (!taken.length) return;
      taken.forEach(function (label) { warned[label] = true; });
      if (state.seats_left === 0) {  // the bus closed (sold out, departed, cancelled): nobody took these seats
        announce("This bus has no seats left for sale now. Please choose another bus.");
        return;
      }
      announce((taken.length === 1 ? "Seat " + taken[0] + " was" : "Seats " + taken.join(", ") + " were") +
        " just booked by another traveller. Please choose other seats before you book.");
    });
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("data-live-chosen-seats")) elt._liveSubmitting = true;
  });

  // An availability event that arrives while the seat map is being replaced (say, right after a seat press) has
  // no map to trigger: the seats-left badge, outside the map, still takes it. If the map that arrives shows a
  // different count than the badge, it was drawn before that event: fetch it again, as the event would have.
  var refetchedFor = null;
  function refetchIfBehind(map) {
    var badge = document.getElementById("seats-left-" + map.getAttribute("action").split("/").pop());
    var shown = map.getAttribute("data-seats-left");
    if (!badge || shown === null || badge.textContent.trim() === shown) return;
    if (refetchedFor === badge.textContent) return;  // once per badge value: never a loop
    refetchedFor = badge.textContent;
    htmx.trigger(map, "sse:availability");
  }

  // Remember the selection just before a stream-triggered re-fetch of the seat map...
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (elt && elt.id === "seat-map" && trigger && trigger.type === "sse:availability") {
      chosenBefore = chosenSeats(elt);
    }
  });

  // ...and after the swap, name the seats the server had to take out of it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var map = document.getElementById("seat-map");
    if (!map || event.target !== map) return;  // fired on the swapped-in map
    var before = chosenBefore;
    chosenBefore = null;
    refetchIfBehind(map);  // may start a re-fetch at once, which remembers its own selection
    if (!before) return;
    var now = chosenSeats(map);
    var lost = before.filter(function (label) { return now.indexOf(label) === -1; });
    if (lost.length && map.getAttribute("data-seats-left") === "0") {
      announce("This bus has no seats left for sale now, so your selection was cleared. Please choose another bus.");
    } else if (lost.length) {
      announce((lost.length === 1 ? "Seat " + lost[0] + " was" : "Seats " + lost.join(", ") + " were") +
        " just booked by another traveller and removed from your selection. Please choose another seat.");
    }
  });

  // No write happens when a bus leaves, so no event says so: the seat map knows when its bus departs
  // (data-departs-in, seconds) and fetches itself again then, which shows it closed.
  var departureTimer = null;
  function watchDeparture() {
    var map = document.getElementById("seat-map");
    clearTimeout(departureTimer);
    if (!map || !map.hasAttribute("data-departs-in")) return;
    var seconds = parseInt(map.getAttribute("data-departs-in"), 10);
    departureTimer = setTimeout(function () {
      var current = document.getElementById("seat-map");
      if (current) htmx.trigger(current, "sse:availability");
    }, (seconds + 1) * 1000);
  }
  document.addEventListener("DOMContentLoaded", watchDeparture);
  document.addEventListener("htmx:afterSettle", watchDeparture);  // a new map may carry a new time
})();
