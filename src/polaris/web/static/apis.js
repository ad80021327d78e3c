// Polaris dashboard: API versions and their lifecycle (seed 5.1.2), read from /api/v1/apis.
"use strict";

(() => {
  const STATES = ["development", "active", "deprecated", "retired"];
  const DAY = 86400000;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  async function readApis() {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem("polaris-token");
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch("/api/v1/apis", { headers });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.detail || resp.statusText);
    return body.items;
  }

  // A deprecated version past its sunset is served as retired (410), so show it as such.
  function effectiveState(v, today) {
    if (v.state === "deprecated" && v.retires_on && Date.parse(v.retires_on) <= today) return "retired";
    return v.state;
  }

  function sunsetNote(v, today) {
    if (v.state !== "deprecated" || !v.retires_on) return "";
    const days = Math.ceil((Date.parse(v.retires_on) - today) / DAY);
    return days > 0 ? ` (in ${days} d)` : " (passed)";
  }

  function guide(v) {
    if (!v.migration_guide) return "-";
    return el("a", { href: v.migration_guide, rel: "noopener" }, "guide");
  }

  function renderApi(api, today) {
    const counts = STATES.map(s => [s, api.versions.filter(v => effectiveState(v, today) === s).length])
      .filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(", ");
    const head = el("h3", {}, api.name, " ", el("span", { class: "badge" }, counts || "no versions"));
    const table = el("table", { class: "api-versions", "data-api": api.name });
    table.append(el("thead", {}, el("tr", {},
      ...["Version", "State", "Introduced", "Deprecated", "Sunset", "Use instead", "Breaking changes", "Guide"]
        .map(h => el("th", {}, h)))));
    const body = el("tbody");
    for (const v of api.versions.slice().reverse()) {
      const state = effectiveState(v, today);
      body.append(el("tr", { "data-version": v.version, "data-state": state },
        el("td", {}, v.version),
        el("td", { class: "api-state api-state-" + state }, state),
        el("td", { "data-field": "introduced" }, v.introduced || (v.planned_release ? "planned " + v.planned_release : "-")),
        el("td", { "data-field": "deprecated" }, v.deprecated_on || "-"),
        el("td", { "data-field": "sunset" }, v.retires_on ? v.retires_on + sunsetNote(v, today) : "-"),
        el("td", {}, v.replacement || "-"),
        el("td", {}, v.breaking_changes.length ? v.breaking_changes.join("; ") : "-"),
        el("td", {}, guide(v))));
    }
    table.append(body);
    return el("div", { class: "api" }, head, table);
  }

  async function refreshApis() {
    const box = document.getElementById("api-versions");
    if (!box) return;
    try {
      const apis = await readApis();
      const today = Date.now();
      box.replaceChildren(...(apis.length ? apis.map(a => renderApi(a, today))
                                            : [el("p", {}, "No API versions registered yet.")]));
    } catch (err) {
      box.replaceChildren(el("p", { class: "api-error" }, "Cannot read API versions: " + err.message));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.head.append(el("link", { rel: "stylesheet", href: "/static/apis.css" }));
    // app.js stores the token on submit; read the APIs again once it has.
    document.getElementById("token-form")?.addEventListener("submit", () => setTimeout(refreshApis, 0));
    refreshApis();
  });
})();
