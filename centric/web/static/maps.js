// Journey map: "Download PNG" draws the server's SVG poster onto a canvas and downloads it.
// The button stays hidden without JavaScript; the SVG download link works without it.
(function () {
  "use strict";
  var button = document.getElementById("map-png");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    fetch(button.getAttribute("data-svg"), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        // a data: URL (the page's CSP allows data: images, not blob: ones)
        var url = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
        var img = new Image();
        img.onload = function () {
          var scale = 2;
          var canvas = document.createElement("canvas");
          canvas.width = img.width * scale;
          canvas.height = img.height * scale;
          var ctx = canvas.getContext("2d");
          ctx.scale(scale, scale);
          ctx.drawImage(img, 0, 0);
          canvas.toBlob(function (png) {
            var link = document.createElement("a");
            link.href = URL.createObjectURL(png);
            link.download = button.getAttribute("data-name") || "journey-map.png";
            document.body.appendChild(link);
            link.click();
            link.remove();
          }, "image/png");
        };
        img.src = url;
      });
  });
}());

// Printing (a poster): open every card's figures first.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll(".journey-map details:not(.edit)").forEach(function (d) { d.open = true; });
});
