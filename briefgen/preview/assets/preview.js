// briefgen preview, core: the bar, live updates (server-sent events), the diagnostics panel, the Build buttons.
// panels.js adds the evidence panel, search and the page view. Every text from the brief or the server is
// inserted as text (textContent), never as markup.
"use strict";
(function () {
  const bg = { version: null, state: null, hooks: { updated: [], state: [] } };
  window.briefgenPreview = bg;
  const token = (document.querySelector('meta[name="bg-token"]') || {}).content || "";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }
  bg.el = el;
  bg.token = token;
  bg.digits = function (n) {
    const meta = document.querySelector('meta[name="bg-digits"]');
    const s = String(n);
    return meta && meta.content === "arabic-indic" ? s.replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : s;
  };
  bg.plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  // a quote's closest passage, "[-source words-] {+quote words+}", as deleted and inserted words
  function diffed(text) {
    const out = [];
    let pos = 0;
    const legend = text.indexOf("([-source-] {+quote+})");
    if (legend >= 0) text = text.slice(0, legend).trimEnd();
    for (const m of text.matchAll(/\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g)) {
      out.push(text.slice(pos, m.index));
      out.push(m[1] !== undefined ? el("del", {}, el("span", { class: "bg-sr" }, " [in the source: "), m[1],
        el("span", { class: "bg-sr" }, "] "))
        : el("ins", {}, el("span", { class: "bg-sr" }, " [in your quote: "), m[2], el("span", { class: "bg-sr" }, "] ")));
      pos = m.index + m[0].length;
    }
    out.push(text.slice(pos));
    if (legend >= 0) out.push(el("span", { class: "bg-legend" }, " (struck: only in the source; underlined: only in your quote)"));
    return out;
  }

  // ---- chrome
  const status = el("span", { id: "bg-status", role: "status" }, "loading…");
  const counts = el("button", { id: "bg-counts", type: "button", "aria-controls": "bg-diags", "aria-expanded": "false",
    onclick: () => toggleDiags() }, "");
  const buildStatus = el("span", { id: "bg-build-status", role: "status" });
  const overwrite = el("input", { id: "bg-overwrite", type: "checkbox" });
  const pdfButton = el("button", { id: "bg-pdf", type: "button", onclick: () => build("pdf") }, "Build PDF");
  const docxButton = el("button", { id: "bg-docx", type: "button", onclick: () => build("docx") }, "Build DOCX");
  const tools = el("div", { id: "bg-tools" });  // panels.js puts the view switch and the search box here
  const bar = el("section", { id: "bg-bar", dir: "ltr", lang: "en", "aria-label": "briefgen preview" },
    el("a", { class: "bg-skip", href: "#bg-brief", onclick: (ev) => { ev.preventDefault(); bg.focusBrief(); } },
      "Skip to the brief's text"),
    el("span", { class: "bg-name" }, "briefgen preview"), status, counts, tools, el("span", { class: "bg-spacer" }),
    buildStatus, el("label", { class: "bg-check", for: "bg-overwrite" }, overwrite, " replace edited outputs"),
    pdfButton, docxButton);
  const alert = el("div", { id: "bg-alert", role: "alert" });
  const diagList = el("div", { class: "bg-diag-list" });
  const diags = el("section", { id: "bg-diags", dir: "ltr", lang: "en", "aria-labelledby": "bg-diags-title", hidden: "" },
    el("div", { class: "bg-diags-head" }, el("h2", { id: "bg-diags-title" }, "Diagnostics"),
      el("button", { type: "button", class: "bg-close", "aria-label": "Hide diagnostics", onclick: () => toggleDiags(false) },
        "Hide")), diagList);
  bg.bar = bar;
  bg.tools = tools;
  bg.alert = alert;

  function toggleDiags(show, focus) {
    const open = show === undefined ? diags.hidden : show;
    diags.hidden = !open;
    counts.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("bg-diags-open", open);
    if (open && focus !== false && show === undefined) diags.querySelector("h2").focus();
  }
  diags.querySelector("h2").tabIndex = -1;

  function showAlert(key, title, lines, action) {
    let box = alert.querySelector(`[data-key="${key}"]`);
    if (box) box.remove();
    if (!title) return;
    box = el("div", { class: "bg-alert-box", "data-key": key }, el("p", { class: "bg-alert-title" }, title));
    if (lines && lines.length) box.append(el("ul", {}, ...lines.map((l) => el("li", { dir: "auto" }, ...diffed(l)))));
    if (action) box.append(action);
    box.append(el("button", { type: "button", class: "bg-dismiss", onclick: () => box.remove() }, "Dismiss"));
    alert.append(box);
  }
  bg.showAlert = showAlert;

  function renderState(st) {
    bg.state = st;
    const e = st.errors, w = st.warnings;
    counts.textContent = `${bg.plural(e, "error")}, ${bg.plural(w, "warning")}`;
    counts.className = e ? "bg-has-errors" : w ? "bg-has-warnings" : "bg-clean";
    status.textContent = st.failed ? "update failed" : `updated in ${st.seconds.toFixed(2)} s`;
    showAlert("save", st.failed ? (st.has_render
      ? `The last save of ${st.outline} has errors (see Diagnostics): the last good brief stays shown.`
      : `${st.outline} has errors (see Diagnostics): there is no brief to show yet.`) : null);
    diagList.replaceChildren();
    st.diagnostics.forEach((d, i) => {
      const ctx = el("div", { class: "bg-context", id: `bg-ctx-${i}`, hidden: "" });
      for (const [n, line] of d.context) {
        ctx.append(el("div", { class: n === d.line ? "bg-line bg-here" : "bg-line" },
          el("span", { class: "bg-lineno" }, String(n)), el("span", { class: "bg-code" }, line || " ")));
      }
      const toggle = el("button", { type: "button", class: "bg-diag-toggle", "aria-expanded": "false",
        "aria-controls": `bg-ctx-${i}`, onclick: () => expand(item, !ctx.hidden ? false : true, true) },
      el("span", { class: "bg-where" }, d.where ? d.where + ": " : ""),
      el("span", { class: "bg-sev" }, d.severity + ": "), el("span", { class: "bg-msg" }, d.message));
      const item = el("div", { class: `bg-diag bg-${d.severity}`, "data-index": i, "data-line": d.line || 0,
        "data-column": d.column || 0 }, toggle,
      d.hint ? el("div", { class: "bg-hint" }, "hint: ", ...diffed(d.hint)) : null, ctx);
      diagList.append(item);
    });
    if (st.failed) toggleDiags(true, false);
    if (!st.diagnostics.length) toggleDiags(false);
    for (const f of bg.hooks.state) f(st);
  }

  function expand(item, open, scroll) {
    const ctx = item.querySelector(".bg-context");
    ctx.hidden = !open;
    item.querySelector(".bg-diag-toggle").setAttribute("aria-expanded", String(open));
    if (!open || !scroll) return;
    const mark = document.querySelector(`#bg-brief [data-line="${item.dataset.line}"][data-column="${item.dataset.column}"]`);
    if (mark) mark.scrollIntoView({ block: "center" });
  }

  bg.showDiagnostic = function (line, column) {
    toggleDiags(true, false);
    for (const item of diags.querySelectorAll(".bg-diag")) {
      if (item.dataset.line === line && item.dataset.column === column) {
        expand(item, true, false);
        item.scrollIntoView({ block: "nearest" });
        item.querySelector(".bg-diag-toggle").focus();
        item.classList.add("bg-focus");
        setTimeout(() => item.classList.remove("bg-focus"), 1500);
        return;
      }
    }
  };

  bg.focusBrief = function () {  // the brief's main text, past its contents list: the next Tab is footnote 1
    const brief = document.getElementById("bg-brief");
    const target = brief.querySelector("main") || brief;
    target.tabIndex = -1;
    target.focus();
  };

  // ---- live update: swap the brief in place, keep the scroll position
  async function refresh() {
    const st = await (await fetch("/api/state", { cache: "no-store" })).json();
    const newer = bg.version !== null && st.version !== bg.version;
    bg.version = st.version;
    renderState(st);
    if (!newer || st.failed || !st.has_render) return;
    const html = await (await fetch("/", { cache: "no-store" })).text();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("bg-brief");
    if (!fresh) return;
    const x = window.scrollX, y = window.scrollY;
    for (const s of document.head.querySelectorAll("style")) s.remove();
    for (const s of doc.head.querySelectorAll("style")) document.head.append(document.importNode(s, true));
    document.documentElement.lang = doc.documentElement.lang;
    document.documentElement.dir = doc.documentElement.dir;
    document.title = doc.title;
    const brief = document.getElementById("bg-brief");
    const focusedCall = document.activeElement && document.activeElement.closest("#bg-brief .fn");
    brief.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
    status.textContent = `updated in ${st.seconds.toFixed(2)} s: ${bg.plural(st.errors, "error")}, ` +
      bg.plural(st.warnings, "warning");
    for (const f of bg.hooks.updated) f(st, focusedCall ? focusedCall.dataset.key : null);
    window.scrollTo(x, y);  // after the calls are buttons again: the same height as before
    document.dispatchEvent(new CustomEvent("briefgen:updated", { detail: st }));
  }

  // ---- the Build buttons: the normal build in the background, its steps shown, links or errors when done
  async function build(format, force) {
    pdfButton.disabled = docxButton.disabled = true;
    showAlert("build", null);
    const replace = force || overwrite.checked ? "1" : "0";
    let res = await fetch(`/api/build?formats=${format}&overwrite=${replace}`,
      { method: "POST", headers: { "X-Briefgen-Token": token } });
    let job = res.ok ? await res.json() : { status: "failed", errors: [await res.text()] };
    while (job.status === "running") {
      buildStatus.textContent = `building ${format.toUpperCase()}: ${job.step}…`;
      await new Promise((r) => setTimeout(r, 300));
      job = await (await fetch("/api/build", { cache: "no-store" })).json();
    }
    pdfButton.disabled = docxButton.disabled = false;
    buildStatus.replaceChildren();
    if (job.status === "done") {
      buildStatus.append(...job.files.map((f) => el("a", { id: `bg-${f.format}-link`, href: f.url,
        target: f.format === "pdf" ? "_blank" : null },
      `${f.name}` + (f.format === "pdf" && job.pages ? ` (${bg.plural(job.pages, "page")}, ${job.seconds} s)` : ""))));
      if (job.kept && job.kept.length) buildStatus.append(` (edited copy kept as ${job.kept.join(", ")})`);
    } else {
      buildStatus.textContent = `${format.toUpperCase()} build failed`;
      const again = job.edited ? el("button", { type: "button", class: "bg-again",
        onclick: () => build(format, true) }, "Build again, replacing the edited file (it is kept first)") : null;
      showAlert("build", `Build ${format.toUpperCase()} failed:`, job.errors || [], again);
    }
  }

  document.addEventListener("click", (ev) => {
    const mark = ev.target.closest("#bg-brief .bg-failed, #bg-brief .bg-uncited-mark");
    if (mark) bg.showDiagnostic(mark.dataset.line, mark.dataset.column);
  });

  function start() {
    document.body.prepend(bar);
    bar.after(alert);
    document.body.append(diags);
    if (!document.getElementById("bg-brief")) document.body.append(el("div", { id: "bg-brief" }));
    for (const f of bg.hooks.start || []) f();
    refresh().then(() => {
      for (const f of bg.hooks.updated) f(bg.state, null);
      const source = new EventSource("/api/events");
      source.addEventListener("version", (ev) => { if (Number(ev.data) !== bg.version) refresh(); });
      source.addEventListener("pages", () => { if (bg.pagesChanged) bg.pagesChanged(); });
      source.onerror = () => { status.textContent = "disconnected: is briefgen preview still running?"; };
      source.onopen = () => { bg.connected = true; document.documentElement.dataset.bgConnected = "1"; };
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
