// Draws the metric trend charts from the JSON blocks the server rendered.
(function () {
  "use strict";
  function draw(el) {
    var data = JSON.parse(document.getElementById(el.dataset.series).textContent);
    if (!window.echarts || !data.months.length) { el.textContent = "No data yet."; return; }
    var band = data.high.map(function (h, i) { return h === null || data.low[i] === null ? null : h - data.low[i]; });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: "axis", formatter: function (p) {
        var i = p[0].dataIndex, v = data.value[i];
        return data.months[i] + "<br>" + (v === null ? "–" : v.toFixed(1)) +
          (data.low[i] === null ? "" : " [" + data.low[i].toFixed(1) + ", " + data.high[i].toFixed(1) + "]") +
          "<br>n = " + data.n[i];
      } },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", scale: true },
      series: [
        { type: "line", data: data.low, stack: "band", stackStrategy: "all", lineStyle: { opacity: 0 }, symbol: "none" },
        { type: "line", data: band, stack: "band", stackStrategy: "all", lineStyle: { opacity: 0 }, symbol: "none",
          areaStyle: { color: "#0b5fff", opacity: 0.15 } },
        { type: "line", data: data.value, symbol: "circle", symbolSize: 5, lineStyle: { width: 2, color: "#0b5fff" },
          itemStyle: { color: "#0b5fff" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function bars(el) {
    var data = JSON.parse(document.getElementById(el.dataset.bars).textContent);
    if (!window.echarts) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false, grid: { left: 40, right: 12, top: 16, bottom: 70 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b5fff" } }]
    });
    return chart;
  }
  function quadrant(el) {
    var data = JSON.parse(document.getElementById(el.dataset.quadrant).textContent).points;
    if (!window.echarts || !data.length) { return; }
    var mean = function (xs) { return xs.reduce(function (a, b) { return a + b; }, 0) / xs.length; };
    var cutX = mean(data.map(function (d) { return d.performance; }));
    var cutY = mean(data.map(function (d) { return d.importance; }));
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false, grid: { left: 56, right: 24, top: 24, bottom: 48 },
      tooltip: { formatter: function (p) { return p.data[2] + "<br>importance " + p.data[1].toFixed(3) + ", performance " + p.data[0].toFixed(2); } },
      xAxis: { type: "value", name: "performance", nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", name: "importance", nameLocation: "middle", nameGap: 40 },
      series: [{
        type: "scatter", symbolSize: 12, itemStyle: { color: "#0b5fff" },
        data: data.map(function (d) { return [d.performance, d.importance, d.name]; }),
        label: { show: true, position: "right", formatter: function (p) { return p.data[2]; } },
        markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#98a2b3" },
                    data: [{ xAxis: cutX }, { yAxis: cutY }] }
      }]
    });
    return chart;
  }
  // Downloads of a chart: SVG from the chart itself (it renders SVG), PNG from a copy drawn offscreen
  // on a canvas at twice the size. Real buttons after the chart, named by the chart's label.
  function save(url, name) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  function fileName(el, ext) {
    var day = new Date().toISOString().slice(0, 10);
    return "centric-" + (el.id || "chart").replace(/[^a-z0-9-]+/gi, "-").toLowerCase() + "-" + day + "." + ext;
  }
  function asSvg(chart, el) {
    var blob = new Blob([chart.renderToSVGString()], { type: "image/svg+xml" });
    var url = URL.createObjectURL(blob);
    save(url, fileName(el, "svg"));
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function asPng(chart, el) {
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;left:-10000px;top:0;width:" + el.clientWidth + "px;height:" +
      el.clientHeight + "px";
    document.body.appendChild(box);
    var copy = window.echarts.init(box, null, { renderer: "canvas" });
    copy.setOption(chart.getOption());
    save(copy.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), fileName(el, "png"));
    copy.dispose();
    box.remove();
  }
  function downloads(el, chart) {
    var words = document.getElementById("chart-download-labels");
    if (!chart || !words) { return; }
    var bar = document.createElement("div");
    bar.className = "chart-downloads";
    [["svg", words.dataset.svg, asSvg], ["png", words.dataset.png, asPng]].forEach(function (kind) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.dataset.download = kind[0];
      button.textContent = kind[1];
      button.setAttribute("aria-label", kind[1] + ": " + (el.getAttribute("aria-label") || ""));
      button.addEventListener("click", function () { kind[2](chart, el); });
      bar.appendChild(button);
    });
    el.insertAdjacentElement("afterend", bar);
  }
  function each(selector, make) {
    document.querySelectorAll(selector).forEach(function (el) { downloads(el, make(el)); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    each(".chart[data-series]", draw);
    each(".chart[data-bars]", bars);
    each(".chart[data-quadrant]", quadrant);
  });
})();
