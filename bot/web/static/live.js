// Live updates without reloading: the server says "changed" over server-sent events, and
// the page fetches only its live part. Self-hosted, no dependencies, no inline script.
(function () {
  "use strict";
  var region = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!region || !region.dataset.live || !window.EventSource) { return; }
  var pending = false;

  function say(text) { if (status) { status.textContent = text; } }

  function refresh() {
    // Do not replace the part someone is using with the keyboard; try again shortly.
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      if (!pending) { pending = true; setTimeout(function () { pending = false; refresh(); }, 2000); }
      return;
    }
    fetch(window.location.href, { headers: { "X-Live": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        say("Updated at " + new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" }) + ".");
      })
      .catch(function () { say("Could not update this page. Reload it to see the latest."); });
  }

  var seen = null;
  var source = new EventSource(region.dataset.live);
  source.addEventListener("change", function (event) { seen = event.data; refresh(); });
  source.addEventListener("error", function () { say("Live updates paused; trying to reconnect."); });
  source.addEventListener("hello", function (event) {
    // After a reconnect, catch up on anything missed while the stream was down.
    if (seen !== null && event.data !== seen) { refresh(); } else { say("This page updates by itself."); }
    seen = event.data;
  });
})();
