// ECharts on the pages, from the figures each chart element carries in data-figures (JSON):
// the Content-Security-Policy allows no inline script, so no page builds its own options.
(function () {
  "use strict";
  var RED = "#a4161a";
  var PALETTE = [RED, "#e07a5f", "#3d5a80", "#81b29a", "#f2cc8f", "#6d597a"];

  function options(kind, f) {
    if (kind === "funnel") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item", formatter: "{b}：{c}" },
        series: [{
          type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
          label: { show: true, position: "inside", formatter: "{b} {c}" },
          data: f
        }]
      };
    }
    if (kind === "models") {
      // two counts per row: 线索 and 成案 unless the figures name their own (a case kind's)
      const labels = f.labels || ["线索", "成案"];
      return {
        color: [RED, "#3d5a80"],
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: labels },
        grid: { left: 10, right: 20, top: 36, bottom: 10, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: f.names.slice().reverse() },
        series: [
          { name: labels[0], type: "bar", data: f.leads.slice().reverse() },
          { name: labels[1], type: "bar", data: f.accepted.slice().reverse() }
        ]
      };
    }
    if (kind === "months") {
      return {
        color: [RED, "#3d5a80", "#81b29a"],
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["线索", "成案", "检察建议"] },
        grid: { left: 10, right: 20, top: 36, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: f.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "线索", type: "line", data: f.leads },
          { name: "成案", type: "line", data: f.accepted },
          { name: "检察建议", type: "line", data: f.recommendations }
        ]
      };
    }
    if (kind === "juvenile") {
      // 未成年人 › 统计: per category or town, bars of the state figures; per month, bars of
      // 应走访 / 已落实 and the 走访落实率 as a line on a second axis (percent)
      var bars = f.series.map(function (s) {
        return { name: s.name, type: "bar", barMaxWidth: 24,
                 data: f.axis === "month" ? s.data : s.data.slice().reverse() };
      });
      var names = f.series.map(function (s) { return s.name; });
      if (f.axis !== "month") {
        return {
          color: PALETTE,
          tooltip: { trigger: "axis" },
          legend: { top: 0, data: names },
          grid: { left: 10, right: 20, top: 36, bottom: 10, containLabel: true },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: f.names.slice().reverse(),
                   axisLabel: { width: 180, overflow: "truncate" } },
          series: bars
        };
      }
      var axes = [{ type: "value", minInterval: 1 }];
      if (f.rate) {
        names.push(f.rate.name);
        axes.push({ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } });
        bars.push({ name: f.rate.name, type: "line", yAxisIndex: 1, data: f.rate.data });
      }
      return {
        color: PALETTE,
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: names },
        grid: { left: 10, right: 20, top: 36, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: f.names },
        yAxis: axes,
        series: bars
      };
    }
    return null;
  }

  function draw() {
    if (!window.echarts) { return; }
    var nodes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var figures = JSON.parse(node.getAttribute("data-figures"));
      var option = options(node.getAttribute("data-chart"), figures);
      if (!option) { continue; }
      var chart = window.echarts.init(node, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(option);
      node.setAttribute("data-drawn", "yes");
      window.addEventListener("resize", chart.resize);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
