// The workbench page: a form generated from the scenario schema (/api/schema), edits applied
// to the TOML text by the server (comments kept), previews streamed from /api/preview, and
// designs kept in this page only, compared by /api/compare.
"use strict";

const state = { schema: null, name: "scenario", toml: "", doc: null, problems: [], designs: [], run: null };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.problems = data.problems || [];
    throw error;
  }
  return data;
}

// --- The form, from the schema -------------------------------------------------------------

// A leaf's own schema: the number part of "a number or a distribution".
function leafSchema(node) {
  if (node.anyOf && node.anyOf[0] && node.anyOf[0].type) return node.anyOf[0];
  return node;
}

function isTable(node) {
  return node && node.type === "object" && node.properties !== undefined;
}

function field(path, key, node, value) {
  const row = document.createElement("div");
  row.className = "field";
  row.dataset.field = path;
  const id = "f-" + path.replace(/[^A-Za-z0-9]/g, "-");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = key;
  row.appendChild(label);
  const leaf = leafSchema(node);
  let input;
  if (value !== null && typeof value === "object") {
    input = document.createElement("span");
    input.className = "dist";
    input.id = id;
    input.textContent = Object.entries(value).map(([k, v]) => k + " = " + v).join(", ");
    input.title = "An uncertain input: edit it in the TOML source";
  } else if (leaf.enum) {
    input = document.createElement("select");
    const none = document.createElement("option");
    none.value = "";
    none.textContent = node.default !== undefined ? "(default " + node.default + ")" : "(not set)";
    input.appendChild(none);
    for (const option of leaf.enum) {
      const o = document.createElement("option");
      o.value = option;
      o.textContent = option;
      input.appendChild(o);
    }
    input.value = value === undefined ? "" : String(value);
  } else {
    input = document.createElement("input");
    const numeric = leaf.type === "number" || leaf.type === "integer" || (leaf.anyOf && leaf.anyOf[0].type === "number");
    input.type = numeric ? "number" : "text";
    if (numeric) {
      input.step = leaf.type === "integer" ? "1" : "any";
      if (leaf.minimum !== undefined) input.min = leaf.minimum;
      if (leaf.maximum !== undefined) input.max = leaf.maximum;
    }
    input.value = value === undefined ? "" : String(value);
    if (node.default !== undefined) input.placeholder = "default " + node.default;
  }
  input.id = id;
  input.dataset.path = path;
  input.dataset.kind = input.type === "number" ? "number" : "text";
  if (input.tagName !== "SPAN") input.addEventListener("change", () => edit(input));
  row.appendChild(input);
  const help = document.createElement("span");
  help.className = "help";
  help.textContent = (node.description || "").split("; a number, or a distribution")[0];
  row.appendChild(help);
  const msg = document.createElement("div");
  msg.className = "msg";
  msg.dataset.for = path;
  row.appendChild(msg);
  return row;
}

// A table's keys in the format's order (the schema's x-order), not the alphabetical order
// JSON objects arrive in.
function keysOf(node) {
  return node["x-order"] || Object.keys(node.properties || {});
}

function renderTable(container, node, doc, prefix) {
  for (const key of keysOf(node)) {
    const child = node.properties[key];
    const path = prefix ? prefix + "." + key : key;
    const value = doc ? doc[key] : undefined;
    if (isTable(child)) {
      if (value === undefined) continue;
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = "[" + path + "]";
      set.appendChild(legend);
      renderTable(set, child, value, path);
      container.appendChild(set);
    } else if (child.type === "array") {
      if (!Array.isArray(value)) continue;
      value.forEach((element, i) => {
        const set = document.createElement("fieldset");
        const legend = document.createElement("legend");
        legend.textContent = path + "[" + i + "]";
        set.appendChild(legend);
        renderTable(set, child.items, element, path + "[" + i + "]");
        container.appendChild(set);
      });
    } else if (child.type === "object" && child.additionalProperties) {
      if (value === undefined) continue;
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = "[" + path + "]";
      set.appendChild(legend);
      for (const [name, v] of Object.entries(value)) {
        set.appendChild(field(path + "." + name, name, child.additionalProperties, v));
      }
      container.appendChild(set);
    } else if (doc !== undefined) {
      container.appendChild(field(path, key, child, value));
    }
  }
}

function renderForm() {
  const form = $("form");
  form.replaceChildren();
  if (!state.schema || !state.doc) {
    form.textContent = "The TOML source does not parse; fix it below.";
    return;
  }
  // One group per top-level table, as docs/scenario-reference.md groups the fields; the levers a design
  // is made of (program, finance, simulation) open, the customers and market folded.
  const open = new Set(["simulation", "program", "finance"]);
  for (const key of keysOf(state.schema)) {
    const node = state.schema.properties[key];
    if (!state.doc[key]) continue;
    const group = document.createElement("details");
    group.className = "group";
    group.open = open.has(key) || (state.open && state.open.has(key));
    group.addEventListener("toggle", () => {
      state.open = state.open || new Set();
      if (group.open) state.open.add(key); else state.open.delete(key);
    });
    const summary = document.createElement("summary");
    summary.textContent = key;
    group.appendChild(summary);
    if (isTable(node)) renderTable(group, node, state.doc[key], key);
    form.appendChild(group);
  }
  showProblems();
}

function showProblems() {
  for (const msg of document.querySelectorAll(".msg")) msg.textContent = "";
  for (const row of document.querySelectorAll(".field.invalid")) row.classList.remove("invalid");
  const loose = [];
  for (const p of state.problems) {
    const msg = document.querySelector('.msg[data-for="' + CSS.escape(p.field) + '"]');
    if (msg) {
      msg.textContent = p.message;
      msg.parentElement.classList.add("invalid");
      const group = msg.closest("details.group");
      if (group) group.open = true;
    } else {
      loose.push(p);
    }
  }
  const box = $("problems");
  box.replaceChildren();
  if (loose.length) {
    const list = document.createElement("ul");
    for (const p of loose) {
      const item = document.createElement("li");
      const where = p.line ? "line " + p.line + ": " : "";
      item.textContent = where + (p.field ? "`" + p.field + "`: " : "") + p.message;
      list.appendChild(item);
    }
    box.appendChild(list);
  }
  $("preview-btn").disabled = state.problems.length > 0;
  $("full-btn").disabled = state.problems.length > 0;
  $("report-btn").disabled = state.problems.length > 0;
  $("workbook-btn").disabled = state.problems.length > 0;
}

function load(data) {
  state.name = data.name;
  state.toml = data.toml;
  state.doc = data.document;
  state.problems = data.problems || [];
  $("source").value = state.toml;
  $("current").textContent = "Editing " + state.name + (state.problems.length ? "" : " (valid)");
  renderForm();
}

async function edit(input) {
  let value = input.value.trim();
  if (value === "") value = null;
  else if (input.dataset.kind === "number") value = Number(value);
  try {
    const data = await api("/api/edit", { name: state.name, toml: state.toml, path: input.dataset.path, value });
    state.toml = data.toml;
    state.doc = data.document;
    state.problems = data.problems;
    $("source").value = state.toml;
    $("current").textContent = "Editing " + state.name + (state.problems.length ? "" : " (valid)");
    showProblems();
  } catch (e) {
    state.problems = [{ field: input.dataset.path, message: e.message }];
    showProblems();
  }
}

async function open(name) {
  try {
    load(await api("/api/scenario?name=" + encodeURIComponent(name)));
  } catch (e) {
    $("problems").textContent = e.message;
  }
}

// --- Runs ----------------------------------------------------------------------------------

let controller = null;

async function run(trials) {
  if (controller) controller.abort();
  controller = new AbortController();
  $("cancel-btn").disabled = false;
  $("preview-btn").disabled = true;
  $("full-btn").disabled = true;
  const progress = $("progress");
  progress.hidden = false;
  progress.value = 0;
  $("run-status").textContent = "Starting…";
  const body = { name: state.name, toml: state.toml };
  if (trials !== undefined) body.trials = trials;
  try {
    const response = await fetch("/api/preview", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({ error: response.statusText }));
      state.problems = data.problems || [];
      showProblems();
      throw new Error(data.error);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        if (message.queued) $("run-status").textContent = "Waiting: " + message.queued;
        if (message.done) {
          progress.max = message.of;
          progress.value = message.done;
          $("run-status").textContent = "Trial " + message.done + " of " + message.of;
        }
        if (message.error) throw new Error(message.error);
        if (message.result) showResult(message.result);
      }
    }
  } catch (e) {
    $("run-status").textContent = e.name === "AbortError" ? "Cancelled." : "";
    if (e.name !== "AbortError") $("run-status").innerHTML = '<span class="error"></span>';
    if (e.name !== "AbortError") $("run-status").firstChild.textContent = e.message;
  } finally {
    controller = null;
    $("cancel-btn").disabled = true;
    progress.hidden = true;
    showProblems();
  }
}

// Negative amounts with a minus sign joined to the amount (a word joiner), so a line never
// breaks between them ("-€947,668" may break after the hyphen).
function minus(text) {
  return text.replace(/(^|[\s(>])-(?=[€$£¥\d])/g, "$1\u2212\u2060");
}

function showResult(r) {
  state.run = r;
  $("run-status").textContent = "";
  const npv = $("npv");
  npv.dataset.value = r.npv_median;
  npv.textContent = (r.trials === state.previewTrials ? "Preview: " : "Run: ") + r.trials + " trials × " +
    r.customers.toLocaleString("en") + " customers × " + r.months + " months. Median NPV " +
    minus(r.npv_median_text) + "; mean " + minus(r.npv_mean_text) +
    (r.npv_sem_text ? " ± " + r.npv_sem_text + " (Monte Carlo std. error)" : "") + ".";
  $("tables").innerHTML = minus(r.tables);
  const charts = $("charts");
  charts.replaceChildren();
  for (const chart of r.charts) {
    const figure = document.createElement("figure");
    figure.id = "chart-" + chart.name;
    figure.innerHTML = chart.svg;
    const svg = figure.querySelector("svg");
    if (svg && !svg.getAttribute("viewBox") && svg.getAttribute("width")) {
      svg.setAttribute("viewBox", "0 0 " + parseFloat(svg.getAttribute("width")) + " " + parseFloat(svg.getAttribute("height")));
    }
    charts.appendChild(figure);
  }
}

// --- Designs -------------------------------------------------------------------------------

function renderDesigns() {
  const list = $("designs");
  list.replaceChildren();
  state.designs.forEach((d, i) => {
    const item = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = d.ticked;
    box.id = "design-" + i;
    box.addEventListener("change", () => { d.ticked = box.checked; });
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = d.name;
    const openButton = document.createElement("button");
    openButton.type = "button";
    openButton.textContent = "Open";
    openButton.addEventListener("click", async () => {
      load(await api("/api/check", { name: d.name, toml: d.toml }));
    });
    item.append(box, label, openButton);
    list.appendChild(item);
  });
}

function saveDesign() {
  const name = $("design-name").value.trim() || state.name + " " + (state.designs.length + 1);
  const existing = state.designs.find((d) => d.name === name);
  if (existing) existing.toml = state.toml;
  else state.designs.push({ name, toml: state.toml, ticked: true });
  $("design-name").value = "";
  renderDesigns();
}

async function compareDesigns() {
  const chosen = state.designs.filter((d) => d.ticked).map((d) => ({ name: d.name, toml: d.toml }));
  $("compare-out").textContent = "";
  if (chosen.length < 2 || chosen.length > 4) {
    $("compare-status").textContent = "Tick two to four designs to compare.";
    return;
  }
  $("compare-status").textContent = "Comparing " + chosen.length + " designs on the same customers…";
  try {
    const data = await api("/api/compare", { designs: chosen });
    $("compare-status").textContent = "Compared on " + data.trials + " trials each, the same customers and random numbers for every design.";
    $("compare-out").textContent = data.text;
  } catch (e) {
    $("compare-status").textContent = e.message;
  }
}

function download() {
  const link = $("download");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([state.toml], { type: "application/toml" }));
  const stem = state.name.split("/").pop().replace(/\.toml$/, "") || "scenario";
  link.download = stem + ".toml";
  link.click();
}

// The scenario's own trials, for a full run and the documents.
function fullTrials() {
  const trials = state.doc && state.doc.simulation ? state.doc.simulation.trials : undefined;
  return typeof trials === "number" ? trials : undefined;
}

// Runs the scenario's trials on the server and downloads its report or workbook: the same file
// `loyalty-sim run` writes for this scenario and seed.
async function downloadDocument(kind) {
  const status = $("run-status");
  const button = $(kind + "-btn");
  const trials = fullTrials();
  button.disabled = true;
  status.textContent = "Running " + (trials || state.previewTrials) + " trials for the " + kind + "…";
  const body = { name: state.name, toml: state.toml, kind };
  if (trials !== undefined) body.trials = trials;
  try {
    const response = await fetch("/api/document", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({ error: response.statusText }));
      throw new Error(data.error);
    }
    const blob = await response.blob();
    const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = $("download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = match ? match[1] : kind;
    link.click();
    status.textContent = "Downloaded " + link.download + ".";
  } catch (e) {
    status.textContent = e.message;
  } finally {
    button.disabled = state.problems.length > 0;
  }
}

// --- Start ---------------------------------------------------------------------------------

async function start() {
  state.schema = await api("/api/schema");
  const list = await api("/api/scenarios");
  const select = $("scenario-select");
  for (const s of list.scenarios) {
    const o = document.createElement("option");
    o.value = s.name;
    o.textContent = s.name + (s.origin === "file" ? "" : " (shipped)");
    select.appendChild(o);
  }
  state.previewTrials = list.preview_trials;
  $("preview-btn").textContent = "Preview (" + list.preview_trials + " trials)";
  $("open-btn").addEventListener("click", () => open(select.value));
  $("upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    load(await api("/api/check", { name: file.name, toml: await file.text() }));
  });
  $("apply-btn").addEventListener("click", async () => {
    load(await api("/api/check", { name: state.name, toml: $("source").value }));
  });
  $("preview-btn").addEventListener("click", () => run());
  $("full-btn").addEventListener("click", () => run(fullTrials()));
  $("report-btn").addEventListener("click", () => downloadDocument("report"));
  $("workbook-btn").addEventListener("click", () => downloadDocument("workbook"));
  $("cancel-btn").addEventListener("click", () => { if (controller) controller.abort(); });
  $("save-btn").addEventListener("click", saveDesign);
  $("compare-btn").addEventListener("click", compareDesigns);
  $("download-btn").addEventListener("click", download);
  const first = new URLSearchParams(location.search).get("scenario") || select.value;
  select.value = first;
  await open(first);
  document.body.dataset.ready = "true";
}

start().catch((e) => { $("problems").textContent = "The workbench could not start: " + e.message; });
