// The review page's behaviour: allow toggles, and saving the edited report as a JSON download.
// Everything shown is already in the HTML; the report itself is the JSON block #vcp-report.
(function () {
  "use strict";
  var root = document.documentElement;
  window.addEventListener("error", function (event) {
    root.setAttribute("data-error", String(event.message || event.error));
  });

  var report = JSON.parse(document.getElementById("vcp-report").textContent);
  var segments = {};
  report.segments.forEach(function (segment) { segments[String(segment.id)] = segment; });

  function serialise() {
    return JSON.stringify(report, null, 2) + "\n";
  }

  function setAllow(id, allow) {
    segments[id].allow = allow;
    document.querySelectorAll('[data-segment="' + id + '"]').forEach(function (el) {
      el.classList.toggle("allowed", allow);
    });
    var flagged = report.segments.filter(function (s) { return !s.allow; }).length;
    document.getElementById("status").textContent =
      flagged + " of " + report.segments.length + " segments will be acted on";
  }

  function save() {
    var blob = new Blob([serialise()], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = root.getAttribute("data-report-name");
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  document.querySelectorAll("input.allow").forEach(function (box) {
    box.addEventListener("change", function () { setAllow(box.getAttribute("data-id"), box.checked); });
  });
  document.getElementById("save").addEventListener("click", save);
  // "list only these": hides the rows of segments that are not uncertain (the timeline stays whole).
  var onlyUncertain = document.getElementById("only-uncertain");
  if (onlyUncertain) {
    onlyUncertain.addEventListener("change", function () {
      document.getElementById("segments").classList.toggle("only-uncertain", onlyUncertain.checked);
    });
  }

  // Test hooks: ?allow=ID clicks that segment's toggle; ?dump writes what Save would save into
  // the hidden #vcp-saved, so a headless browser's DOM dump shows it (Save downloads exactly this
  // text; a headless download itself cannot be waited for reliably).
  var params = new URLSearchParams(window.location.search);
  params.getAll("allow").forEach(function (id) {
    var box = document.querySelector('input.allow[data-id="' + CSS.escape(id) + '"]');
    if (box) { box.click(); }
  });
  // ?only-uncertain ticks "list only these"; ?shown marks each row data-shown="1" when drawn.
  if (params.has("only-uncertain") && onlyUncertain) { onlyUncertain.click(); }
  if (params.has("shown")) {
    document.querySelectorAll("tr.segment").forEach(function (row) {
      row.setAttribute("data-shown", row.getClientRects().length ? "1" : "0");
    });
  }
  // ?layout writes where the timeline is drawn (in CSS pixels) into data attributes: the lane's
  // left edge and width on .timeline, each tick label's centre on the label.
  if (params.has("layout")) {
    var lane = document.querySelector(".lane").getBoundingClientRect();
    var timeline = document.querySelector(".timeline");
    timeline.setAttribute("data-lane-left", String(lane.left));
    timeline.setAttribute("data-lane-width", String(lane.width));
    document.querySelectorAll(".ticks span").forEach(function (tick) {
      var box = tick.getBoundingClientRect();
      tick.setAttribute("data-x", String(box.left + box.width / 2));
    });
  }
  if (params.has("dump")) {
    document.getElementById("vcp-saved").textContent = serialise();
  }
  root.setAttribute("data-ready", "1");
})();
