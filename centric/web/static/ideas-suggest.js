// Ideas portal, submit page: while a title is typed, show existing ideas like it (progressive
// enhancement: without this script the page's "check before posting" step does the same).
// Reads the board key from #idea-title's data-board; writes links into #idea-suggestions
// (an aria-live region). Optional texts on the region: data-heading ("Similar ideas") and
// data-votes ("votes"). Data is inserted with textContent only, never as HTML.
(function () {
  "use strict";
  var input = document.getElementById("idea-title");
  var region = document.getElementById("idea-suggestions");
  if (!input || !region || !window.fetch) { return; }
  var DELAY_MS = 250;
  var MIN_CHARS = 3;
  var MAX_CHARS = 300;
  var timer = null;
  var controller = null;
  var lastQuery = "";

  function clear() {
    while (region.firstChild) { region.removeChild(region.firstChild); }
  }

  function render(items) {
    clear();
    if (!items.length) { return; }
    if (region.dataset.heading) {
      var heading = document.createElement("p");
      heading.className = "idea-suggestions-heading";
      heading.textContent = region.dataset.heading;
      region.appendChild(heading);
    }
    var list = document.createElement("ul");
    items.forEach(function (item) {
      if (typeof item.url !== "string" || item.url.indexOf("/ideas/i/") !== 0) { return; }
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = String(item.title);
      li.appendChild(link);
      var votes = document.createElement("span");
      votes.className = "idea-suggestion-votes";
      votes.textContent = " · " + Number(item.votes || 0) + " " + (region.dataset.votes || "votes");
      li.appendChild(votes);
      list.appendChild(li);
    });
    region.appendChild(list);
  }

  function lookup() {
    var query = input.value.trim().slice(0, MAX_CHARS);
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (controller) { controller.abort(); controller = null; }
    if (query.length < MIN_CHARS) { clear(); return; }
    var params = new URLSearchParams({ q: query });
    if (input.dataset.board) { params.set("board", input.dataset.board); }
    var mine = controller = (window.AbortController ? new AbortController() : null);
    fetch("/ideas/suggest?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: mine ? mine.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { items: [] };
    }).then(function (data) {
      if (mine !== controller || query !== lastQuery) { return; }  // a newer request is under way
      render(Array.isArray(data.items) ? data.items : []);
    }).catch(function () { /* offline or aborted: keep the page as it is */ });
  }

  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, DELAY_MS);
  });
})();
