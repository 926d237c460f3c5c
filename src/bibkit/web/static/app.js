// bibkit serve's page: a client of POST /api/inspect and POST /api/convert.
// Everything shown is set as text (textContent), never parsed as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const FIELDS = ["input", "from", "to", "as_of", "owner", "style"];
let downloadUrl = null;

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function option(select, value, label) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  select.append(o);
}

async function loadFormats() {
  const answer = await fetch("/api/formats");
  const data = await answer.json();
  for (const name of data.from) option($("from"), name, name);
  for (const f of data.to) option($("to"), f.name, `${f.name} — ${f.summary}`);
  for (const s of data.styles) option($("style"), s, s);
  $("to").value = "bibtex";
  $("as_of").value = new Date().toISOString().slice(0, 10);
}

function form(extra) {
  const body = new URLSearchParams();
  for (const name of FIELDS) body.set(name, $(name).value);
  for (const [k, v] of Object.entries(extra || {})) body.set(k, v);
  return body;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function showEntries(entries) {
  const list = $("entries");
  list.replaceChildren();
  for (const e of entries) {
    const li = el("li");
    li.dataset.key = e.key;
    const head = el("div", "", "entry");
    head.append(el("span", e.title || "(no title)", "title"));
    const who = e.authors.join(", ") + (e.et_al ? ", et al." : "");
    head.append(el("span", who, "authors"));
    const where = [e.venue, e.year].filter(Boolean).join(", ");
    head.append(el("span", `${where}${where ? " · " : ""}${e.key} · line ${e.line}`, "meta"));
    li.append(head);
    if (e.provenance.length) {
      const more = el("details");
      more.append(el("summary", `What was inferred (${e.provenance.length})`));
      const ul = el("ul", undefined, "provenance");
      for (const p of e.provenance) {
        ul.append(el("li", `${p.field}: ${p.source} (${p.rule})${p.evidence ? " — “" + p.evidence + "”" : ""}`));
      }
      more.append(ul);
      li.append(more);
    }
    list.append(li);
  }
}

function showDiagnostics(diagnostics) {
  const list = $("diagnostics");
  list.replaceChildren();
  $("no-diagnostics").hidden = diagnostics.length > 0;
  for (const d of diagnostics) {
    const li = el("li", undefined, d.severity);
    li.append(el("span", d.line ? `line ${d.line}` : "input", "where"));
    li.append(el("span", `${d.severity}[${d.code}]`, "code"));
    li.append(el("span", (d.key ? d.key + ": " : "") + d.message, "message"));
    list.append(li);
  }
}

function select(tab) {
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t.id === tab;
    t.setAttribute("aria-selected", on ? "true" : "false");
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
}

function fail(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

async function run(event) {
  event.preventDefault();
  $("error").hidden = true;
  $("go").disabled = true;
  $("go").textContent = "Converting…";
  try {
    const seen = await fetch("/api/inspect", { method: "POST", body: form() });
    const data = await seen.json();
    if (!seen.ok) {
      fail(data.error);
      return;
    }
    const c = data.counts;
    const owner = data.owner ? ` (profile: ${data.owner})` : "";
    $("summary").textContent = `${count(data.entries.length, "entry", "entries")} read as ` +
      `${data.from}${owner}; ${count(c.error || 0, "error", "errors")}, ` +
      `${count(c.warning || 0, "warning", "warnings")}, ${count(c.info || 0, "note", "notes")}`;
    if (!$("owner").value && data.owner) $("owner").placeholder = data.owner;
    showEntries(data.entries);
    showDiagnostics(data.diagnostics);
    const made = await fetch("/api/convert", { method: "POST", body: form() });
    if (made.ok) {
      const text = await made.text();
      $("output").textContent = text;
      const disposition = made.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "bibkit.txt";
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      downloadUrl = URL.createObjectURL(new Blob([text], { type: made.headers.get("Content-Type") }));
      $("download").href = downloadUrl;
      $("download").download = name;
      $("download").textContent = `Download ${name}`;
    } else {
      const why = await made.json();
      $("output").textContent = why.error;
    }
    const preview = $("preview-form");
    for (const name of ["input", "from", "as_of", "owner", "style"]) preview.elements[name].value = $(name).value;
    preview.submit();
    $("result").hidden = false;
    $("summary").focus();
  } catch (err) {
    fail(`bibkit serve did not answer (${err}); is it still running?`);
  } finally {
    $("go").disabled = false;
    $("go").textContent = "Convert";
  }
}

function readFile(file) {
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    $("input").value = reader.result;
    $("filename").textContent = file.name;
  };
  reader.readAsText(file);
}

document.addEventListener("DOMContentLoaded", () => {
  loadFormats().catch((err) => fail(`Could not load the formats: ${err}`));
  $("ask").addEventListener("submit", run);
  $("file").addEventListener("change", (e) => readFile(e.target.files[0]));
  $("input").addEventListener("dragover", (e) => e.preventDefault());
  $("input").addEventListener("drop", (e) => {
    if (e.dataTransfer.files.length) {
      e.preventDefault();
      readFile(e.dataTransfer.files[0]);
    }
  });
  for (const t of document.querySelectorAll("[role=tab]")) {
    t.addEventListener("click", () => select(t.id));
    t.addEventListener("keydown", (e) => {
      const tabs = [...document.querySelectorAll("[role=tab]")];
      const i = tabs.indexOf(t);
      const next = e.key === "ArrowRight" ? tabs[(i + 1) % tabs.length]
        : e.key === "ArrowLeft" ? tabs[(i + tabs.length - 1) % tabs.length] : null;
      if (next) {
        select(next.id);
        next.focus();
      }
    });
  }
  $("copy").addEventListener("click", async () => {
    await navigator.clipboard.writeText($("output").textContent);
    $("copied").textContent = "Copied.";
  });
});
