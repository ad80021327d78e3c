// Polaris dashboard: reads /api/v1 with the token kept in this browser's localStorage.
"use strict";

const KINDS = [
  ["service", "Application Services"],
  ["model", "AI/ML Models"],
  ["infra", "Infrastructure"],
  ["schema", "Database Schemas"],
];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path) {
  const headers = { Accept: "application/json" };
  const token = localStorage.getItem("polaris-token");
  if (token) headers.Authorization = "Bearer " + token;
  const resp = await fetch("/api/v1" + path, { headers });
  const body = await resp.json();
  if (!resp.ok) throw new Error(body.detail || resp.statusText);
  return body;
}

function renderTree(release) {
  const box = document.getElementById("platform-tree");
  box.replaceChildren();
  if (!release) { box.append(el("p", {}, "No platform release yet.")); return; }
  const root = el("ul", { class: "tree", "data-testid": "tree" });
  const top = el("li", {}, el("strong", {}, "Platform v" + release.version));
  const groups = el("ul", { class: "tree" });
  const known = new Set(KINDS.map(k => k[0]));
  const kinds = KINDS.concat(
    [...new Set(release.components.map(c => c.kind))].filter(k => !known.has(k)).map(k => [k, k]));
  for (const [kind, label] of kinds) {
    const items = release.components.filter(c => c.kind === kind);
    if (!items.length) continue;
    const sub = el("ul", { class: "tree" });
    for (const c of items) sub.append(el("li", { class: "component" }, `${c.name} (v${c.version})`));
    groups.append(el("li", {}, label, sub));
  }
  top.append(groups);
  root.append(top);
  box.append(root);
}

function renderModels(models) {
  const body = document.querySelector("#models tbody");
  body.replaceChildren();
  for (const m of models) {
    const row = el("tr", { "data-model": m.name }, el("td", {}, m.name), el("td", {}, m.versions),
                   el("td", {}, m.latest || "-"));
    for (const stage of ["development", "staging", "production", "archived"]) {
      row.append(el("td", { class: "stage-" + stage, "data-stage": stage }, m.stages[stage] || "-"));
    }
    body.append(row);
  }
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const data = await api("/platform");
    status.textContent = "";
    document.getElementById("platform-version").textContent =
      "platform: " + (data.release ? "v" + data.release.version : "no release");
    renderTree(data.release);
    renderModels(data.models);
  } catch (err) {
    status.textContent = "Cannot read the registry: " + err.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("token-form").addEventListener("submit", ev => {
    ev.preventDefault();
    const value = document.getElementById("token").value.trim();
    if (value) localStorage.setItem("polaris-token", value); else localStorage.removeItem("polaris-token");
    document.getElementById("token").value = "";
    refresh();
  });
  refresh();
});
