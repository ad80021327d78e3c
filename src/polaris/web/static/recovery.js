// Polaris dashboard: recovery points (seed 10.2.1), read from /api/v1/recovery/points.
"use strict";

(() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function size(n) {
    const units = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }

  async function readPoints() {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem("polaris-token");
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch("/api/v1/recovery/points", { headers });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.detail || resp.statusText);
    return body.items;
  }

  function render(points) {
    if (!points.length) return el("p", {}, "No recovery points yet (polaris recovery create --env ENV).");
    const table = el("table", { id: "recovery-table" });
    table.append(el("thead", {}, el("tr", {},
      ...["Point", "Environment", "Release", "Stores", "Size", "Taken", "By", "Reason"].map(h => el("th", {}, h)))));
    const body = el("tbody");
    for (const p of points) {
      const stores = p.parts.map(x => el("span", { class: "badge", title: "sha256 " + x.sha256 },
        `${x.store} (${x.kind})`));
      body.append(el("tr", { "data-point": p.name, "data-environment": p.environment },
        el("td", {}, p.name),
        el("td", {}, p.environment),
        el("td", {}, p.release || "-"),
        el("td", { "data-field": "stores" }, ...stores),
        el("td", {}, size(p.size)),
        el("td", {}, p.created_at.slice(0, 19).replace("T", " ")),
        el("td", {}, p.created_by),
        el("td", {}, p.reason || "-")));
    }
    table.append(body);
    return table;
  }

  async function refresh() {
    const box = document.getElementById("recovery-points");
    if (!box) return;
    try {
      box.replaceChildren(render(await readPoints()));
    } catch (err) {
      box.replaceChildren(el("p", { class: "api-error" }, "Cannot read recovery points: " + err.message));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("token-form")?.addEventListener("submit", () => setTimeout(refresh, 0));
    refresh();
  });
})();
