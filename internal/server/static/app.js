// baoxue: the dashboard charts and small conveniences. No inline script is allowed (CSP), so
// the page says where its numbers are (data-chart-src) and this file draws them with ECharts.
(function () {
  "use strict";

  // A <select class="autosubmit"> submits its form when changed.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.classList && el.classList.contains("autosubmit") && el.form) {
      el.form.submit();
    }
  });

  var palette = ["#1f4e8c", "#2f6ec2", "#5b9bd5", "#1e8449", "#f0a30a", "#c0392b", "#8e44ad", "#7f8c8d", "#16a085", "#d35400"];
  var statusColors = {
    enrolled: "#1e8449", enrolled_elsewhere: "#16a085", home_taught: "#5b9bd5", completed: "#7f8c8d",
    exempt: "#bdc3c7", review: "#f0a30a", suspected: "#c0392b", invalid_id: "#8e44ad"
  };

  function pie(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      color: palette,
      tooltip: { trigger: "item", formatter: "{b}: {c} 人 ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], label: { show: false }, data: data }]
    });
    return chart;
  }

  function draw(box, d) {
    var charts = [];
    var labels = d.labels || { statuses: {}, reasons: {} };
    box.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "status") {
        var st = d.region.statuses || {};
        charts.push(pie(el, Object.keys(labels.statuses).filter(function (k) { return st[k]; }).map(function (k) {
          return { name: labels.statuses[k], value: st[k], itemStyle: { color: statusColors[k] } };
        })));
      } else if (kind === "reason") {
        var rs = d.region.reasons || {};
        var data = Object.keys(labels.reasons).filter(function (k) { return rs[k]; }).map(function (k) {
          return { name: labels.reasons[k], value: rs[k] };
        });
        if (!data.length) { el.textContent = "暂无疑似对象"; el.classList.add("chart-empty"); return; }
        charts.push(pie(el, data));
      } else if (kind === "area") {
        var areas = d.areas || [];
        var c = echarts.init(el);
        c.setOption({
          color: ["#c0392b", "#f0a30a"],
          tooltip: { trigger: "axis" },
          legend: { bottom: 0 },
          grid: { left: 40, right: 16, top: 16, bottom: 64, containLabel: true },
          xAxis: { type: "category", data: areas.map(function (a) { return a.name; }), axisLabel: { interval: 0, rotate: areas.length > 8 ? 40 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            { name: "疑似失学辍学", type: "bar", data: areas.map(function (a) { return a.suspected; }) },
            { name: "待人工确认", type: "bar", data: areas.map(function (a) { return a.review; }) }
          ]
        });
        c.on("click", function (p) {
          var a = areas[p.dataIndex];
          if (a && a.code) { window.location.href = "/dash/" + a.code + "?run=" + d.run_id; }
        });
        charts.push(c);
      } else if (kind === "trend") {
        var t = d.trend || [];
        var tc = echarts.init(el);
        tc.setOption({
          color: ["#c0392b", "#f0a30a", "#8e44ad"],
          tooltip: { trigger: "axis" },
          legend: { bottom: 0 },
          grid: { left: 40, right: 16, top: 16, bottom: 48, containLabel: true },
          xAxis: { type: "category", data: t.map(function (p) { return "#" + p.run_id + " " + p.as_of; }) },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            { name: "疑似失学辍学", type: "line", data: t.map(function (p) { return p.suspected; }) },
            { name: "待人工确认", type: "line", data: t.map(function (p) { return p.review; }) },
            { name: "学籍辍学", type: "line", data: t.map(function (p) { return p.dropped; }) }
          ]
        });
        charts.push(tc);
      }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  function load() {
    var box = document.querySelector("[data-chart-src]");
    if (!box || typeof echarts === "undefined") { return; }
    fetch(box.getAttribute("data-chart-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) { if (!d.pending) { draw(box, d); } })
      .catch(function () { box.classList.add("chart-failed"); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
