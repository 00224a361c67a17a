/*
 * Centric survey widget. Include on any page of a site the survey allows to embed it:
 *   <script src="https://centric.example.com/static/widget.js" data-survey="site-csat"
 *           data-label="Feedback" data-lang="en" async></script>
 * It adds a button that opens the survey in a panel (an iframe of /s/<key>?embed=1).
 * No cookies, no tracking, no dependencies; styles are set through the CSSOM so a
 * strict host CSP (no 'unsafe-inline') does not block them.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.survey) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var key = encodeURIComponent(script.dataset.survey);
  var label = script.dataset.label || "Feedback";
  var params = "embed=1" + (script.dataset.lang ? "&lang=" + encodeURIComponent(script.dataset.lang) : "");
  var src = origin + "/s/" + key + "?" + params;

  function style(el, rules) { for (var k in rules) { el.style[k] = rules[k]; } return el; }

  var button = style(document.createElement("button"), {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", padding: "10px 18px",
    font: "600 15px system-ui, sans-serif", color: "#fff", background: "#0b5fff", border: "0",
    borderRadius: "999px", boxShadow: "0 2px 8px rgba(0,0,0,.25)", cursor: "pointer"
  });
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-haspopup", "dialog");
  button.setAttribute("aria-expanded", "false");

  var panel = style(document.createElement("div"), {
    position: "fixed", right: "16px", bottom: "72px", zIndex: "2147483001", width: "min(420px, calc(100vw - 32px))",
    height: "min(620px, calc(100vh - 100px))", background: "#fff", borderRadius: "12px",
    boxShadow: "0 8px 30px rgba(0,0,0,.3)", display: "none", overflow: "hidden"
  });
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);

  var close = style(document.createElement("button"), {
    position: "absolute", top: "6px", right: "6px", width: "36px", height: "36px", border: "0",
    borderRadius: "50%", background: "#eef2f6", color: "#1d2433", font: "20px system-ui, sans-serif", cursor: "pointer"
  });
  close.type = "button";
  close.textContent = "\u00d7";
  close.setAttribute("aria-label", "Close");

  var frame = null;

  function open() {
    if (!frame) {
      frame = style(document.createElement("iframe"), { width: "100%", height: "100%", border: "0" });
      frame.title = label;
      frame.src = src;
      panel.insertBefore(frame, close);
    }
    panel.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    close.focus();
  }

  function hide() {
    panel.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  button.addEventListener("click", function () { panel.style.display === "block" ? hide() : open(); });
  close.addEventListener("click", hide);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel.style.display === "block") { hide(); }
  });

  function mount() { panel.appendChild(close); document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
