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
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-series]").forEach(draw);
    document.querySelectorAll(".chart[data-bars]").forEach(bars);
    document.querySelectorAll(".chart[data-quadrant]").forEach(quadrant);
  });
})();
