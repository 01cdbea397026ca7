// The workbench page: a form generated from the scenario schema (/api/schema), edits applied
// to the TOML text by the server (comments kept), previews streamed from /api/preview, and
// designs kept in this page only, compared by /api/compare; one field swept by /api/sweep; the
// classroom lessons run by /api/lesson with their lever where the slider puts it.
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
  $("sweep-btn").disabled = state.problems.length > 0 || sweepController !== null;
}

function load(data) {
  state.name = data.name;
  state.toml = data.toml;
  state.doc = data.document;
  state.problems = data.problems || [];
  $("source").value = state.toml;
  $("current").textContent = "Editing " + state.name + (state.problems.length ? "" : " (valid)");
  renderForm();
  renderSweepFields();
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

// Posts `body` to a streamed address (/api/preview, /api/sweep) and reads its lines: waiting
// and progress go to `progress` and `status`, the result to `onResult`; an error is thrown.
// Aborting `signal` closes the connection, and the server stops the run.
async function stream(path, body, signal, progress, status, onResult) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({ error: response.statusText }));
    const error = new Error(data.error);
    error.problems = data.problems || [];
    throw error;
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
      if (message.queued) status.textContent = "Waiting: " + message.queued;
      if (message.done) {
        progress.max = message.of;
        progress.value = message.done;
        status.textContent = "Trial " + message.done + " of " + message.of;
      }
      if (message.error) throw new Error(message.error);
      if (message.result) onResult(message.result);
    }
  }
}

// An error's message in `status`, or "Cancelled." when the person cancelled.
function showFailure(status, e) {
  if (e.name === "AbortError") {
    status.textContent = "Cancelled.";
    return;
  }
  status.replaceChildren();
  const span = document.createElement("span");
  span.className = "error";
  span.textContent = e.message;
  status.appendChild(span);
}

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
  // A preview's trials are the server's to fit to the scenario's size.
  state.runIsPreview = trials === undefined;
  try {
    await stream("/api/preview", body, controller.signal, progress, $("run-status"), showResult);
  } catch (e) {
    if (e.problems && e.problems.length) {
      state.problems = e.problems;
    }
    showFailure($("run-status"), e);
  } finally {
    controller = null;
    $("cancel-btn").disabled = true;
    progress.hidden = true;
    showProblems();
  }
}

// --- Sweep ---------------------------------------------------------------------------------

// The numbers of the current design a sweep may vary, with their paths: every number the
// file gives (not the run's own size, seed or trials), list entries included.
function numericFields(doc, prefix, out) {
  for (const [key, value] of Object.entries(doc || {})) {
    const path = prefix ? prefix + "." + key : key;
    if (typeof value === "number") {
      if (!["simulation.seed", "simulation.trials", "simulation.customers"].includes(path)) out.push([path, value]);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => { if (v && typeof v === "object") numericFields(v, path + "[" + i + "]", out); });
    } else if (value && typeof value === "object" && value.dist === undefined) {
      numericFields(value, path, out);
    }
  }
  return out;
}

// The sweep's field list, for the design now on the page; the chosen field kept when it is
// still there.
function renderSweepFields() {
  const select = $("sweep-field");
  const chosen = select.value;
  select.replaceChildren();
  state.numbers = new Map(numericFields(state.doc, "", []));
  for (const [path] of state.numbers) {
    const o = document.createElement("option");
    o.value = path;
    o.textContent = path;
    select.appendChild(o);
  }
  if (state.numbers.has(chosen)) select.value = chosen;
  else {
    const discount = [...state.numbers.keys()].find((p) => p.endsWith("instant_discount.rate"));
    if (discount) select.value = discount;
    sweepRange();
  }
}

// A range around the field's value: half to one and a half times it (0 to 1 from zero).
function sweepRange() {
  const value = state.numbers ? state.numbers.get($("sweep-field").value) : undefined;
  if (value === undefined) return;
  const whole = Number.isInteger(value) && Math.abs(value) >= 2;
  const round = (x) => whole ? Math.round(x) : Number(x.toPrecision(3));
  $("sweep-from").value = value === 0 ? 0 : round(value * 0.5);
  $("sweep-to").value = value === 0 ? 1 : round(value * 1.5);
}

let sweepController = null;

async function runSweep() {
  if (sweepController) sweepController.abort();
  sweepController = new AbortController();
  const status = $("sweep-status");
  const progress = $("sweep-progress");
  $("sweep-btn").disabled = true;
  $("sweep-cancel-btn").disabled = false;
  progress.hidden = false;
  progress.value = 0;
  status.textContent = "Starting…";
  $("sweep-chart").replaceChildren();
  $("sweep-table").replaceChildren();
  const body = {
    name: state.name,
    toml: state.toml,
    path: $("sweep-field").value,
    from: Number($("sweep-from").value),
    to: Number($("sweep-to").value),
    steps: Number($("sweep-steps").value),
  };
  try {
    await stream("/api/sweep", body, sweepController.signal, progress, status, showSweep);
  } catch (e) {
    showFailure(status, e);
  } finally {
    sweepController = null;
    $("sweep-btn").disabled = state.problems.length > 0;
    $("sweep-cancel-btn").disabled = true;
    progress.hidden = true;
  }
}

// An SVG drawn for a file, made to scale with its box.
function scalable(container, svgText) {
  container.innerHTML = svgText;
  const svg = container.querySelector("svg");
  if (svg && !svg.getAttribute("viewBox") && svg.getAttribute("width")) {
    svg.setAttribute("viewBox", "0 0 " + parseFloat(svg.getAttribute("width")) + " " + parseFloat(svg.getAttribute("height")));
  }
}

function cell(row, text, tag) {
  const c = document.createElement(tag || "td");
  c.textContent = text;
  row.appendChild(c);
  return c;
}

function showSweep(r) {
  state.sweep = r;
  const best = r.points.find((p) => p.best);
  $("sweep-status").textContent = "Swept " + r.path + " over " + r.points.length + " points, " + r.trials +
    " trials each on the same customers" + (best ? "; highest mean NPV at " + best.at_text : "") +
    " (≈: as good within Monte Carlo error).";
  const figure = document.createElement("figure");
  figure.id = "sweep-curve";
  scalable(figure, r.chart || "");
  $("sweep-chart").replaceChildren(figure);
  const table = document.createElement("table");
  const head = document.createElement("tr");
  for (const h of [r.path.split(".").pop(), "median NPV", "mean NPV ± MC error", "P(payback) ± s.e."]) cell(head, h, "th");
  // The band's heading goes with the band: hidden with it on a phone.
  const bandHead = document.createElement("span");
  bandHead.className = "band";
  bandHead.textContent = "5th … 95th";
  head.children[1].appendChild(bandHead);
  table.appendChild(head);
  for (const p of r.points) {
    const row = document.createElement("tr");
    row.dataset.npv = p.npv_median;
    if (p.best) row.className = "best";
    cell(row, p.at_text + (p.best ? " ← best" : p.as_good_as_best ? " ≈" : ""));
    // The band under the median, so the table fits the column beside the form.
    const median = cell(row, minus(p.npv_median_text));
    const band = document.createElement("span");
    band.className = "band";
    band.textContent = minus(p.npv_band_text);
    median.appendChild(band);
    cell(row, minus(p.npv_mean_text));
    cell(row, p.payback_text);
    table.appendChild(row);
  }
  $("sweep-table").replaceChildren(table);
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
  npv.textContent = (state.runIsPreview ? "Preview: " : "Run: ") + r.trials + " trials × " +
    r.customers.toLocaleString("en") + " customers × " + r.months + " months. Median NPV " +
    minus(r.npv_median_text) + "; mean " + minus(r.npv_mean_text) +
    (r.npv_sem_text ? " ± " + r.npv_sem_text + " (Monte Carlo std. error)" : "") + ".";
  $("tables").innerHTML = minus(r.tables);
  const charts = $("charts");
  charts.replaceChildren();
  for (const chart of r.charts) {
    const figure = document.createElement("figure");
    figure.id = "chart-" + chart.name;
    scalable(figure, chart.svg);
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

let compareController = null;

async function compareDesigns() {
  const chosen = state.designs.filter((d) => d.ticked).map((d) => ({ name: d.name, toml: d.toml }));
  $("compare-out").textContent = "";
  if (chosen.length < 2 || chosen.length > 4) {
    $("compare-status").textContent = "Tick two to four designs to compare.";
    return;
  }
  $("compare-status").textContent = "Comparing " + chosen.length + " designs on the same customers…";
  if (compareController) compareController.abort();
  compareController = new AbortController();
  $("compare-btn").disabled = true;
  $("compare-cancel-btn").disabled = false;
  try {
    const response = await fetch("/api/compare", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ designs: chosen }),
      signal: compareController.signal,
    });
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(data.error || response.statusText);
    $("compare-status").textContent = "Compared on " + data.trials + " trials each, the same customers and random numbers for every design.";
    $("compare-out").textContent = data.text;
  } catch (e) {
    showFailure($("compare-status"), e);
  } finally {
    compareController = null;
    $("compare-btn").disabled = false;
    $("compare-cancel-btn").disabled = true;
  }
}

// --- Lessons -------------------------------------------------------------------------------

let lessonController = null;

// Shows the chosen lesson's lever at the file's value.
function chooseLesson() {
  const lesson = state.lessons.find((l) => l.name === $("lesson-select").value);
  if (!lesson) return;
  const lever = lesson.lever;
  const input = $("lever");
  input.min = lever.min;
  input.max = lever.max;
  input.step = lever.step;
  input.value = lever.value;
  $("lever-label").textContent = lever.label;
  $("lever-value").textContent = String(lever.value);
  $("lever-row").hidden = false;
}

// Runs the lesson at the lever's value; a newer move of the lever replaces a run under way.
async function runLesson() {
  const name = $("lesson-select").value;
  const value = Number($("lever").value);
  if (lessonController) lessonController.abort();
  const controller = new AbortController();
  lessonController = controller;
  const status = $("lesson-status");
  status.textContent = "Running the lesson at " + value + "…";
  try {
    const response = await fetch("/api/lesson", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, value }),
      signal: controller.signal,
    });
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(data.error || response.statusText);
    showLesson(data);
    status.textContent = data.title + ", with " + $("lever-label").textContent + " at " + data.value + " (" +
      data.trials + " trials × " + data.customers.toLocaleString("en") + " customers; loyalty-sim learn " + data.name + " runs more).";
  } catch (e) {
    if (lessonController === controller) showFailure(status, e);
  } finally {
    if (lessonController === controller) lessonController = null;
  }
}

function showLesson(data) {
  const box = $("lesson");
  box.replaceChildren();
  box.dataset.lesson = data.name;
  box.dataset.value = data.value;
  for (const section of data.sections) {
    const h = document.createElement("h3");
    h.textContent = section.heading;
    box.appendChild(h);
    for (const text of section.paragraphs) {
      const p = document.createElement("p");
      p.textContent = minus(text);
      box.appendChild(p);
    }
    if (section.table) {
      const wrap = document.createElement("div");
      wrap.className = "lesson-table";
      const table = document.createElement("table");
      const head = document.createElement("tr");
      for (const h of section.table.header) cell(head, h, "th");
      table.appendChild(head);
      for (const r of section.table.rows) {
        const row = document.createElement("tr");
        for (const c of r) cell(row, minus(c));
        table.appendChild(row);
      }
      wrap.appendChild(table);
      box.appendChild(wrap);
    }
  }
  const conclusion = document.createElement("p");
  conclusion.className = "conclusion";
  conclusion.textContent = minus(data.conclusion);
  box.appendChild(conclusion);
  const charts = document.createElement("div");
  charts.className = "lesson-charts";
  for (const chart of data.charts) {
    const figure = document.createElement("figure");
    figure.id = "lesson-chart-" + chart.name;
    const holder = document.createElement("div");
    scalable(holder, chart.svg);
    const caption = document.createElement("figcaption");
    caption.textContent = chart.caption;
    figure.append(holder, caption);
    charts.appendChild(figure);
  }
  box.appendChild(charts);
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
  $("preview-btn").title = "Up to " + list.preview_trials + " trials, fewer for a large base: about a second's work";
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
  $("compare-cancel-btn").addEventListener("click", () => { if (compareController) compareController.abort(); });
  $("sweep-field").addEventListener("change", sweepRange);
  $("sweep-btn").addEventListener("click", runSweep);
  $("sweep-cancel-btn").addEventListener("click", () => { if (sweepController) sweepController.abort(); });
  state.lessons = (await api("/api/lessons")).lessons;
  for (const l of state.lessons) {
    const o = document.createElement("option");
    o.value = l.name;
    o.textContent = l.title;
    $("lesson-select").appendChild(o);
  }
  $("lesson-select").addEventListener("change", chooseLesson);
  $("lesson-btn").addEventListener("click", runLesson);
  $("lever").addEventListener("input", () => { $("lever-value").textContent = $("lever").value; });
  $("lever").addEventListener("change", runLesson);
  chooseLesson();
  $("download-btn").addEventListener("click", download);
  const first = new URLSearchParams(location.search).get("scenario") || select.value;
  select.value = first;
  await open(first);
  document.body.dataset.ready = "true";
}

start().catch((e) => { $("problems").textContent = "The workbench could not start: " + e.message; });
