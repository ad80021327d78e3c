// Polaris dashboard: the compatibility matrix, components x platform releases (GET /platform/matrix).
// Each cell is the pinned version and the checker's mark: ok, warning or error (messages on hover).
"use strict";

(() => {
  const MARKS = { ok: "\u2713", warning: "\u26a0", error: "\u2717" };
  const STYLE = `
    #matrix-section { grid-column: 1 / -1; overflow-x: auto; }
    #platform-matrix td.mark-ok { background: #ecfdf5; color: #047857; }
    #platform-matrix td.mark-warning { background: #fffbeb; color: #b45309; }
    #platform-matrix td.mark-error { background: #fef2f2; color: #b91c1c; font-weight: 600; }
    #platform-matrix td.empty { color: #9ca3af; }
    #platform-matrix th.release { white-space: nowrap; }
    #platform-matrix .kind { color: #6b7280; font-size: .8rem; margin-left: .4rem; }`;

  function node(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    for (const c of children) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return n;
  }

  async function fetchMatrix() {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem("polaris-token");
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch("/api/v1/platform/matrix", { headers });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.detail || resp.statusText);
    return body;
  }

  function draw(data) {
    const box = document.getElementById("platform-matrix");
    box.replaceChildren();
    if (!data.platform_versions.length) {
      box.append(node("p", {}, "No platform release yet."));
      return;
    }
    const head = node("tr", {}, node("th", {}, "Component"));
    for (const rel of data.releases) {
      const title = [
        rel.bump ? `${rel.bump} bump (components need ${rel.required_bump})` : "first release",
        rel.bump_problem || "",
        `${rel.errors} errors, ${rel.warnings} warnings`,
      ].filter(Boolean).join("\n");
      head.append(node("th", { class: "release mark-" + rel.status, "data-platform": rel.version, title },
                       `v${rel.version} ${MARKS[rel.status]}`));
    }
    const body = node("tbody");
    for (const comp of data.components) {
      const row = node("tr", { "data-component": comp.name },
                       node("th", {}, comp.name, node("span", { class: "kind" }, comp.kind)));
      comp.cells.forEach((cell, i) => {
        const platform = data.platform_versions[i];
        if (!cell) {
          row.append(node("td", { class: "empty", "data-platform": platform, "data-status": "absent" }, "-"));
          return;
        }
        row.append(node("td", {
          class: "mark-" + cell.status,
          "data-platform": platform,
          "data-status": cell.status,
          title: cell.messages.join("\n") || "compatible",
        }, `${cell.version} ${MARKS[cell.status]}`));
      });
      body.append(row);
    }
    box.append(node("table", { "data-testid": "matrix" }, node("thead", {}, head), body));
  }

  async function refreshMatrix() {
    const box = document.getElementById("platform-matrix");
    if (!box) return;
    try {
      draw(await fetchMatrix());
    } catch (err) {
      box.replaceChildren(node("p", { class: "error" }, "Cannot read the matrix: " + err.message));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.head.append(node("style", {}, STYLE));
    const form = document.getElementById("token-form");
    // app.js stores the token on submit; read it after that handler ran.
    if (form) form.addEventListener("submit", () => setTimeout(refreshMatrix, 0));
    refreshMatrix();
  });
})();
