// The chair console, live: the server pushes "a prompt arrived" or "a prompt was answered"
// over server-sent events, and the page fetches its live part again. Answers are sent in
// place, so the chair never loses their place. Self-hosted, no dependencies, no inline script.
(function () {
  "use strict";
  var region = document.getElementById("console");
  var status = document.getElementById("console-status");
  var clock = document.getElementById("console-clock");
  if (!region) { return; }
  var busy = false;
  var again = false;

  function say(text) { if (status) { status.textContent = text; } }

  function stamp() {
    return new Date().toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
  }

  // What the chair has typed but not yet sent, by prompt and box, so that a live update
  // arriving while they type never wipes their words (or moves them out of the box).
  // A box is known by its prompt and its name: ids are numbered and shift as prompts clear.
  function keyOf(box) {
    var prompt = box.form && box.form.querySelector("input[name=prompt]");
    return prompt ? prompt.value + "|" + box.name : "";
  }

  function typedNow() {
    var kept = {};
    var focus = "";
    Array.prototype.forEach.call(region.querySelectorAll("form textarea"), function (box) {
      var key = keyOf(box);
      // Only words the chair changed: a correction box starts with the saved answer.
      if (key && box.value !== box.defaultValue) {
        kept[key] = { value: box.value, was: box.defaultValue };
      }
      if (key && box === document.activeElement) { focus = key; }
    });
    return { values: kept, focus: focus };
  }

  function putBack(typed) {
    Array.prototype.forEach.call(region.querySelectorAll("form textarea"), function (box) {
      var key = keyOf(box);
      var kept = key ? typed.values[key] : undefined;
      if (kept !== undefined && box.defaultValue === kept.was) { box.value = kept.value; }
      if (key && key === typed.focus) { box.focus(); }
    });
  }

  // ``sent`` is the prompt whose answer was just saved: its box starts empty again.
  function show(html, sent) {
    var typed = typedNow();
    Object.keys(typed.values).forEach(function (key) {
      if (sent && key.indexOf(sent + "|") === 0) { delete typed.values[key]; }
    });
    region.innerHTML = html;
    putBack(typed);
    say("Updated at " + stamp() + ".");
  }

  function refresh() {
    // One fetch at a time; a change during a fetch asks for one more afterwards.
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { headers: { "X-Live": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) { show(html, ""); })
      .catch(function () { say("Could not update this page. Reload it to see the latest."); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  // Answer buttons and step buttons: post the form in place and show the new state.
  region.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    say("Saving your answer.");
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { "X-Live": "1", "X-CSRF-Token": region.dataset.csrf || "" },
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.status !== 200 && response.status !== 400) {
            throw new Error(String(response.status));
          }
          // A refused answer (400) keeps the words typed with it, so they can be fixed.
          var prompt = form.querySelector("input[name=prompt]");
          show(html, response.status === 200 && prompt ? prompt.value : "");
        });
      })
      .catch(function () { say("Your answer was not saved. Reload the page and try again."); });
  });

  if (clock) {
    var tick = function () { clock.textContent = stamp(); };
    tick();
    setInterval(tick, 1000);
  }

  if (!window.EventSource || !region.dataset.events) { return; }
  var source = new EventSource(region.dataset.events);
  source.addEventListener("prompt", refresh);
  source.addEventListener("answered", refresh);
  source.addEventListener("refetch", refresh);  // another replica's news may have been missed
  source.addEventListener("hello", function () {
    // After a reconnect, catch up on anything missed while the stream was down.
    region.dataset.live = "connected";
    say("This page updates by itself.");
    refresh();
  });
  source.addEventListener("error", function () {
    region.dataset.live = "paused";
    say("Live updates paused; trying to reconnect.");
  });
})();
