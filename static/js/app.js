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
