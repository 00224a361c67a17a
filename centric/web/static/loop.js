// The agent inbox and case pages: SLA countdowns kept current, and keyboard shortcuts.
(function () {
  "use strict";

  // The same words the server writes (centric/loop/views/cases.py: span, countdown), in the page's
  // language when the page gives them (#loop-words, from the catalog).
  var words = {d: "%(n)s d", h: "%(n)s h", min: "%(n)s min", left: "%(span)s left", ago: "breached %(span)s ago"};
  var given = document.getElementById("loop-words");
  if (given) {
    try { words = JSON.parse(given.textContent); } catch (e) { /* keep the English words */ }
  }
  function fill(pattern, key, value) { return pattern.replace("%(" + key + ")s", value); }

  function span(minutes) {
    minutes = Math.max(minutes, 0);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var d = fill(words.d, "n", days), h = fill(words.h, "n", hours), m = fill(words.min, "n", mins);
    if (days) { return hours ? d + " " + h : d; }
    if (hours) { return mins ? h + " " + m : h; }
    return m;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) { return; }
      var minutes = Math.floor((due - now) / 60000);
      el.textContent = minutes >= 0 ? fill(words.left, "span", span(minutes)) : fill(words.ago, "span", span(-minutes));
      if (minutes < 0) { el.classList.add("sla-breached"); }
    });
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function inbox(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-case]"));
    var help = document.getElementById("shortcut-help");
    var at = -1;

    function select(i) {
      if (!rows.length) { return; }
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (row, j) { row.classList.toggle("selected", j === at); });
      rows[at].setAttribute("tabindex", "-1");
      rows[at].focus({ preventScroll: true });
      rows[at].scrollIntoView({ block: "nearest" });
    }

    function assignToMe(row) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/cases/" + row.dataset.case + "/assign";
      [["csrf", table.dataset.csrf], ["owner_id", "me"], ["next", table.dataset.back]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    }

    function toggleHelp(show) {
      if (help) { help.hidden = !show; }
    }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "Escape") { toggleHelp(false); return; }
      if (typing(event.target)) { return; }
      var row = at >= 0 ? rows[at] : null;
      if (event.key === "j") { select(at + 1); }
      else if (event.key === "k") { select(at < 0 ? 0 : at - 1); }
      else if (event.key === "Enter" && row) { window.location.href = "/cases/" + row.dataset.case; }
      else if (event.key === "a" && row && table.dataset.canWork === "yes") { assignToMe(row); }
      else if (event.key === "/") { var q = document.getElementById("q"); if (q) { q.focus(); q.select(); } }
      else if (event.key === "?") { toggleHelp(help && help.hidden); }
      else { return; }
      event.preventDefault();
    });
    if (help) { help.addEventListener("click", function () { toggleHelp(false); }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 30000);
    var table = document.querySelector("table.inbox");
    if (table) { inbox(table); }
  });
}());
