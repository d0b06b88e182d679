// Applied before first paint so a dark-mode user never sees a white flash. A file, not
// an inline script, so the Content-Security-Policy can stay `script-src 'self'`.
(function () {
  var choice = null;
  try {
    choice = localStorage.getItem("theme");
  } catch (e) {
    // storage blocked
  }
  var dark = choice === "dark" || (choice !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
})();
