// flchain dashboard: live updates over server-sent events, the chart, the verify button.
// Everything shown comes from the server; strings are inserted as text, never as HTML,
// except the server's own escaped page fragments.
"use strict";

(function () {
  const live = document.getElementById("live");
  const headBlock = document.getElementById("head-block");
  const liveState = document.getElementById("live-state");
  const chart = document.getElementById("chart");
  let busy = false;
  let again = false;

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        if (live && live.dataset.live) {  // not on a form's result: it would be lost
          const url = live.dataset.live + "?fragment=1";
          const response = await fetch(url, { headers: { "Accept": "text/html" } });
          if (response.ok || response.status === 404) {
            live.innerHTML = await response.text();
          }
        }
        if (chart) { await drawChart(); }
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      } while (again);
    } catch (err) {
      console.warn("refresh failed", err);
    } finally {
      busy = false;
    }
  }

  async function drawChart() {
    const response = await fetch(chart.dataset.src);
    const curve = await response.json();
    const note = document.getElementById("chart-note");
    if (curve.error) { note.textContent = curve.error; return; }
    const points = curve.points || [];
    const rounds = points.map((p) => p.round);
    const hover = points.map((p) => "model " + p.model_cid);
    const traces = [
      { x: rounds, y: points.map((p) => p.accuracy), name: "accuracy", mode: "lines+markers",
        text: hover, hovertemplate: "round %{x}<br>accuracy %{y:.3f}<br>%{text}<extra></extra>" },
      { x: rounds, y: points.map((p) => p.loss), name: "loss", mode: "lines+markers", yaxis: "y2",
        text: hover, hovertemplate: "round %{x}<br>loss %{y:.3f}<br>%{text}<extra></extra>" },
    ];
    const layout = {
      margin: { t: 20, r: 60, b: 40, l: 60 }, height: 320,
      xaxis: { title: { text: "round" }, dtick: 1 },
      yaxis: { title: { text: "test accuracy" }, range: [0, 1] },
      yaxis2: { title: { text: "test loss" }, overlaying: "y", side: "right", rangemode: "tozero" },
      legend: { orientation: "h", y: 1.12 },
    };
    await Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true });
    chart.dataset.points = String(points.length);
    note.textContent = curve.reason ? "not evaluated: " + curve.reason
      : points.length + " models evaluated on the task's public test split (cached by model CID)";
  }

  function connect() {
    const source = new EventSource("/events");
    source.addEventListener("open", () => { liveState.classList.add("on"); });
    source.addEventListener("error", () => { liveState.classList.remove("on"); });
    let seen = null;
    source.addEventListener("block", (event) => {
      const message = JSON.parse(event.data);
      if (message.block < 0) { return; }
      headBlock.textContent = String(message.block);
      document.body.dataset.block = String(message.block);
      if (seen !== null && message.block !== seen) { refresh(); }
      seen = message.block;
    });
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-verify]");
    if (!button) { return; }
    const status = document.getElementById("verify-status");
    button.disabled = true;
    status.className = "";
    status.textContent = "verifying: recomputing the round from the chain and the store…";
    try {
      const response = await fetch(button.dataset.verify, { method: "POST" });
      const outcome = await response.json();
      status.textContent = outcome.message;
      status.className = outcome.ok ? "ok" : "bad";
    } catch (err) {
      status.textContent = "verification failed: " + err;
      status.className = "bad";
    } finally {
      button.disabled = false;
    }
  });

  connect();
  if (chart) { drawChart(); }
})();
