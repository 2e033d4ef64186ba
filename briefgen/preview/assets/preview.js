// briefgen preview: live updates (server-sent events), diagnostics panel, evidence panel, PDF button.
// Every text from the brief or the server is inserted as text (textContent), never as markup.
"use strict";
(function () {
  const bg = { version: null, state: null };
  window.briefgenPreview = bg;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function digits(n) {
    const meta = document.querySelector('meta[name="bg-digits"]');
    const s = String(n);
    return meta && meta.content === "arabic-indic" ? s.replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : s;
  }

  // a quote's closest passage, "[-source words-] {+quote words+}", as deleted and inserted words
  function diffed(text) {
    const out = [];
    let pos = 0;
    for (const m of text.matchAll(/\[-(.*?)-\]|\{\+(.*?)\+\}/g)) {
      out.push(text.slice(pos, m.index));
      out.push(m[1] !== undefined ? el("del", { title: "in the source" }, m[1])
        : el("ins", { title: "in your quote" }, m[2]));
      pos = m.index + m[0].length;
    }
    out.push(text.slice(pos));
    return out;
  }

  function labelCalls() {
    for (const fn of document.querySelectorAll("#bg-brief .fn")) {
      fn.dataset.label = digits(fn.dataset.n);
      fn.setAttribute("role", "button");
      fn.setAttribute("tabindex", "0");
    }
  }

  // ---- chrome: bar, diagnostics panel, evidence panel
  const status = el("span", { id: "bg-status" }, "loading…");
  const counts = el("button", { id: "bg-counts", type: "button", onclick: () => toggleDiags() }, "");
  const pdfButton = el("button", { id: "bg-pdf", type: "button", onclick: () => buildPdf() }, "Build PDF");
  const pdfStatus = el("span", { id: "bg-pdf-status" });
  const bar = el("div", { id: "bg-bar", dir: "ltr", lang: "en" },
    el("b", {}, "briefgen preview"), status, counts, el("span", { class: "bg-spacer" }), pdfStatus, pdfButton);
  const banner = el("div", { id: "bg-banner", dir: "ltr", lang: "en", hidden: "" });
  const diags = el("div", { id: "bg-diags", dir: "ltr", lang: "en", hidden: "" });
  const evidence = el("aside", { id: "bg-evidence", hidden: "" });

  function toggleDiags(show) {
    const open = show === undefined ? diags.hidden : show;
    diags.hidden = !open;
  }

  function renderState(st) {
    bg.state = st;
    const e = st.errors, w = st.warnings;
    counts.textContent = `${e} error${e === 1 ? "" : "s"}, ${w} warning${w === 1 ? "" : "s"}`;
    counts.className = e ? "bg-has-errors" : w ? "bg-has-warnings" : "bg-clean";
    status.textContent = st.failed ? "update failed" : `updated in ${st.seconds.toFixed(2)} s`;
    banner.hidden = !st.failed;
    banner.textContent = st.has_render
      ? `The last save of ${st.outline} has errors (see below): the last good brief stays shown.`
      : `${st.outline} has errors (see below): there is no brief to show yet.`;
    diags.replaceChildren();
    st.diagnostics.forEach((d, i) => {
      const ctx = el("div", { class: "bg-context", hidden: "" });
      for (const [n, line] of d.context) {
        ctx.append(el("div", { class: n === d.line ? "bg-line bg-here" : "bg-line" },
          el("span", { class: "bg-lineno" }, String(n)), el("span", { class: "bg-code" }, line || " ")));
      }
      const item = el("div", {
        class: `bg-diag bg-${d.severity}`, "data-index": i, "data-line": d.line || 0, "data-column": d.column || 0,
        onclick: (ev) => {
          if (ev.target.closest(".bg-context")) return;
          ctx.hidden = !ctx.hidden;
          const mark = document.querySelector(`#bg-brief [data-line="${d.line || 0}"][data-column="${d.column || 0}"]`);
          if (mark && !ctx.hidden) mark.scrollIntoView({ block: "center" });
        },
      },
      el("span", { class: "bg-where" }, d.where ? d.where + ": " : ""),
      el("span", { class: "bg-sev" }, d.severity + ": "), el("span", { class: "bg-msg" }, d.message),
      d.hint ? el("div", { class: "bg-hint" }, "hint: ", ...diffed(d.hint)) : null, ctx);
      diags.append(item);
    });
    if (st.failed) toggleDiags(true);
    if (!st.diagnostics.length) toggleDiags(false);
  }

  function showDiagnostic(line, column) {
    toggleDiags(true);
    for (const item of diags.querySelectorAll(".bg-diag")) {
      if (item.dataset.line === line && item.dataset.column === column) {
        item.querySelector(".bg-context").hidden = false;
        item.scrollIntoView({ block: "nearest" });
        item.classList.add("bg-focus");
        setTimeout(() => item.classList.remove("bg-focus"), 1500);
        return;
      }
    }
  }

  async function showCitation(fn) {
    const res = await fetch(`/api/citation/${encodeURIComponent(fn.dataset.n)}`);
    if (!res.ok) return;
    const c = await res.json();
    for (const a of document.querySelectorAll("#bg-brief .fn.bg-active")) a.classList.remove("bg-active");
    fn.classList.add("bg-active");
    const s = c.source;
    const meta = el("dl", { class: "bg-meta" });
    const rows = [["title", s.title], ["publisher", s.publisher], ["author", s.author], ["date", s.date],
      ["grade", s.grade], ["url", s.url]];
    for (const [k, v] of rows) if (v) meta.append(el("dt", {}, k), el("dd", { dir: "auto" }, v));
    const para = el("blockquote", { class: "bg-para", dir: c.dir });
    if (c.text !== null) {
      let pos = 0;
      for (const [a, b] of c.spans) {
        para.append(c.text.slice(pos, a), el("mark", {}, c.text.slice(a, b)));
        pos = b;
      }
      para.append(c.text.slice(pos));
    } else {
      para.append(el("i", { dir: "ltr" }, "the citation names no paragraph: the whole source is cited"));
    }
    evidence.dir = "ltr";
    evidence.replaceChildren(
      el("button", { class: "bg-close", type: "button", title: "close", onclick: closeEvidence }, "×"),
      el("h2", {}, `Footnote ${c.number}`, el("span", { class: "bg-source-id" }, ` · ${s.id}`)),
      el("p", { class: "bg-note", dir: c.dir }, c.note), meta,
      el("h3", {}, c.located ? `${c.located}${c.para ? ` after ¶${c.para}` : ""}` : c.para ? `¶${c.para}` : "¶ —",
        c.quote ? " · the quoted words are highlighted" : ""), para,
      c.tolerances && c.tolerances.length
        ? el("p", { class: "bg-tolerances" }, "matched allowing: " + c.tolerances.join(", ")) : null);
    evidence.hidden = false;
    document.body.classList.add("bg-evidence-open");
    const first = para.querySelector("mark");
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  function closeEvidence() {
    evidence.hidden = true;
    document.body.classList.remove("bg-evidence-open");
    for (const a of document.querySelectorAll("#bg-brief .fn.bg-active")) a.classList.remove("bg-active");
  }

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
    const active = document.querySelector("#bg-brief .fn.bg-active");
    document.getElementById("bg-brief").replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
    labelCalls();
    window.scrollTo(x, y);
    if (active && !evidence.hidden) {
      const again = document.querySelector(`#bg-brief .fn[data-n="${active.dataset.n}"]`);
      if (again) showCitation(again); else closeEvidence();
    }
    document.dispatchEvent(new CustomEvent("briefgen:updated", { detail: st }));
  }

  // ---- the PDF button: the normal build in the background, its steps shown, a link when done
  async function buildPdf() {
    pdfButton.disabled = true;
    let job = await (await fetch("/api/pdf", { method: "POST" })).json();
    while (job.status === "running") {
      pdfStatus.textContent = `building PDF: ${job.step}…`;
      await new Promise((r) => setTimeout(r, 300));
      job = await (await fetch("/api/pdf", { cache: "no-store" })).json();
    }
    pdfButton.disabled = false;
    pdfStatus.replaceChildren();
    if (job.status === "done") {
      pdfStatus.append(el("a", { id: "bg-pdf-link", href: job.url, target: "_blank" },
        `${job.name} (${job.pages} page${job.pages === 1 ? "" : "s"}, ${job.seconds} s)`));
    } else {
      const errors = job.errors || [];
      pdfStatus.append(el("span", { class: "bg-pdf-failed", title: errors.join("\n") },
        "PDF build failed" + (errors.length ? ": " + errors[0].split("\n")[0] : "")));
    }
  }

  document.addEventListener("click", (ev) => {
    const fn = ev.target.closest("#bg-brief .fn");
    if (fn) { ev.preventDefault(); showCitation(fn); return; }
    const mark = ev.target.closest("#bg-brief .bg-failed, #bg-brief .bg-uncited");
    if (mark) showDiagnostic(mark.dataset.line, mark.dataset.column);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") closeEvidence();
    if (ev.key === "Enter" && ev.target.matches && ev.target.matches("#bg-brief .fn")) showCitation(ev.target);
  });

  document.body.prepend(bar, banner, diags);
  document.body.append(evidence);
  if (!document.getElementById("bg-brief")) document.body.append(el("div", { id: "bg-brief" }));
  labelCalls();
  refresh().then(() => {
    const source = new EventSource("/api/events");
    source.addEventListener("version", (ev) => { if (Number(ev.data) !== bg.version) refresh(); });
    source.onerror = () => { status.textContent = "disconnected: is briefgen preview still running?"; };
    source.onopen = () => { bg.connected = true; document.documentElement.dataset.bgConnected = "1"; };
  });
})();
