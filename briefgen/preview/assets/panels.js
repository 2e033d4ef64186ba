// briefgen preview, panels: footnote calls as buttons, the evidence panel (it follows a citation's identity,
// not its number), search across the brief and its sources, and the page view (the PDF's real pages).
"use strict";
(function () {
  const bg = window.briefgenPreview;
  const el = bg.el;
  let openKey = null, opener = null;

  // ---- footnote calls: a button named "Footnote n", the note text its description (the PDF prints it)
  function labelCalls(st) {
    const keys = (st && st.citations) || [];
    for (const fn of document.querySelectorAll("#bg-brief .fn")) {
      if (fn.querySelector(":scope > .bg-call")) continue;
      const n = fn.dataset.n;
      fn.dataset.key = keys[Number(n) - 1] || "";
      const note = el("span", { class: "bg-note-text", id: `bg-note-${n}` }, ...Array.from(fn.childNodes));
      const call = el("button", { type: "button", class: "bg-call", "aria-label": `Footnote ${n}`,
        "aria-describedby": `bg-note-${n}`, "aria-controls": "bg-evidence", "aria-expanded": "false" }, bg.digits(n));
      fn.replaceChildren(call, note);
    }
  }

  // ---- the evidence panel
  const evidence = el("aside", { id: "bg-evidence", dir: "ltr", lang: "en", "aria-labelledby": "bg-evidence-title",
    hidden: "" });

  function callFor(key) {
    return key ? document.querySelector(`#bg-brief .fn[data-key="${CSS.escape(key)}"] .bg-call`) : null;
  }

  function panel(title, ...body) {
    const heading = el("h2", { id: "bg-evidence-title", tabindex: "-1" }, ...title);
    evidence.replaceChildren(el("button", { type: "button", class: "bg-close", "aria-label": "Close the panel",
      onclick: () => closePanel(true) }, "Close"), heading,
    ...body.filter((part) => part !== null && part !== undefined));  // never the word "null"
    evidence.hidden = false;
    document.body.classList.add("bg-evidence-open");
    return heading;
  }

  async function showCitation(key, focus) {
    const res = await fetch(`/api/citation?key=${encodeURIComponent(key)}`, { cache: "no-store" });
    if (!res.ok) { closePanel(false); bg.showAlert("panel", "That citation is no longer in the brief."); return; }
    const c = await res.json();
    for (const a of document.querySelectorAll("#bg-brief .bg-call[aria-expanded=true]")) a.setAttribute("aria-expanded", "false");
    const call = callFor(key);
    if (call) call.setAttribute("aria-expanded", "true");
    openKey = key;
    const s = c.source;
    const meta = el("dl", { class: "bg-meta" });
    for (const [k, v] of [["title", s.title], ["publisher", s.publisher], ["author", s.author], ["date", s.date],
      ["grade", s.grade], ["url", s.url]]) if (v) meta.append(el("dt", {}, k), el("dd", { dir: "auto" }, v));
    const para = el("blockquote", { class: "bg-para", dir: c.dir, lang: document.documentElement.lang });
    if (c.text !== null) {
      let pos = 0;
      for (const [a, b] of c.spans) {
        para.append(c.text.slice(pos, a), el("mark", {}, c.text.slice(a, b)));
        pos = b;
      }
      para.append(c.text.slice(pos));
    } else {
      para.append(el("i", { dir: "ltr", lang: "en" }, "the citation names no paragraph: the whole source is cited"));
    }
    const where = c.located ? `${c.located}${c.para ? ` after ¶${c.para}` : ""}` : c.para ? `¶${c.para}` : "¶ —";
    const heading = panel([`Footnote ${bg.digits(c.number)}`, el("span", { class: "bg-source-id" }, ` · ${s.id}`)],
      el("p", { class: "bg-note", dir: c.dir, lang: document.documentElement.lang }, c.note), meta,
      el("h3", {}, where, c.quote ? " · the quoted words are highlighted" : ""), para,
      c.tolerances && c.tolerances.length ? el("p", { class: "bg-tolerances" }, "matched allowing: " + c.tolerances.join(", ")) : null);
    if (focus) heading.focus();
    const first = para.querySelector("mark");
    if (first) first.scrollIntoView({ block: "nearest" });
  }
  bg.showCitation = showCitation;

  function closePanel(restore) {
    if (evidence.hidden) return;
    evidence.hidden = true;
    document.body.classList.remove("bg-evidence-open");
    const call = callFor(openKey);
    if (call) call.setAttribute("aria-expanded", "false");
    if (restore) (call || opener || document.getElementById("bg-brief")).focus();
    openKey = null;
  }

  // ---- search: the brief (Arabic folded like the matcher does: diacritics, tatweel, hamza seats) and the sources
  const FOLD = { "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي" };
  function folded(text) {
    let out = "";
    const at = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (/[\u064B-\u065F\u0670\u0640\u200c-\u200f]/.test(ch)) continue;
      out += (FOLD[ch] || ch).toLowerCase();
      at.push(i);
    }
    return { out, at };
  }
  const input = el("input", { id: "bg-search", type: "search", placeholder: "Search brief and sources",
    "aria-label": "Search the brief and its sources", autocomplete: "off" });
  const found = el("span", { id: "bg-search-count", role: "status" });
  let hits = [], current = -1, timer = null;

  function clearHits() {
    for (const m of document.querySelectorAll("#bg-brief mark.bg-hit")) m.replaceWith(...m.childNodes);
    document.getElementById("bg-brief").normalize();
    hits = [];
    current = -1;
  }

  function searchBrief(query) {
    clearHits();
    const q = folded(query.trim()).out;
    if (!q) return;
    const walker = document.createTreeWalker(document.getElementById("bg-brief"), NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => n.parentElement.closest(".bg-note-text, style, script") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
    const nodes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
    for (const node of nodes) {
      const { out, at } = folded(node.data);
      const spans = [];
      for (let i = out.indexOf(q); i >= 0; i = out.indexOf(q, i + q.length)) spans.push([at[i], at[i + q.length - 1] + 1]);
      for (const [a, b] of spans.reverse()) {
        const range = document.createRange();
        range.setStart(node, a);
        range.setEnd(node, b);
        const mark = el("mark", { class: "bg-hit" });
        range.surroundContents(mark);
        hits.unshift(mark);
      }
    }
    hits.sort((x, y) => x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1);
  }

  function step(by) {
    if (!hits.length) return;
    if (current >= 0) hits[current].classList.remove("bg-hit-current");
    current = (current + by + hits.length) % hits.length;
    hits[current].classList.add("bg-hit-current");
    hits[current].scrollIntoView({ block: "center" });
    found.textContent = `${current + 1} of ${hits.length} in the brief`;
  }

  async function runSearch(showPanel) {
    const query = input.value;
    searchBrief(query);
    if (!query.trim()) { found.textContent = ""; return; }
    const res = await (await fetch(`/api/search?q=${encodeURIComponent(query)}`, { cache: "no-store" })).json();
    if (query !== input.value) return;
    found.textContent = `${bg.plural(hits.length, "hit")} in the brief, ${res.total} in the sources`;
    if (!showPanel && evidence.hidden) return;
    const list = el("ol", { class: "bg-hits" });
    for (const h of res.hits) {
      const [a, b] = h.hit;
      list.append(el("li", {}, el("p", { class: "bg-hit-where" }, `${h.source} ¶${h.para}`),
        el("p", { class: "bg-hit-text", dir: "auto", lang: document.documentElement.lang },
          h.before ? "…" : "", h.snippet.slice(0, a), el("mark", {}, h.snippet.slice(a, b)), h.snippet.slice(b),
          h.after ? "…" : "")));
    }
    panel([`Search: ${query}`], el("p", {}, `${bg.plural(hits.length, "hit")} in the brief, ` +
      `${res.total} in the sources` + (res.total > res.hits.length ? ` (the first ${res.hits.length} shown)` : "")), list);
    openKey = null;
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => runSearch(false), 200); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); if (ev.shiftKey) step(-1); else if (hits.length) step(1); runSearch(true); }
    if (ev.key === "Escape") { input.value = ""; clearHits(); found.textContent = ""; }
  });

  // ---- the page view: the PDF's pages as images, laid out after each save without holding the text view
  const textButton = el("button", { type: "button", id: "bg-view-text", "aria-pressed": "true",
    onclick: () => view("text") }, "Text");
  const pagesButton = el("button", { type: "button", id: "bg-view-pages", "aria-pressed": "false",
    onclick: () => view("pages") }, "Pages");
  const pagesStatus = el("p", { id: "bg-pages-status", role: "status" });
  const pageList = el("div", { class: "bg-page-list" });
  const pagesTitle = el("h1", { class: "bg-sr" }, "Pages as they will print");
  const pagesView = el("main", { id: "bg-pages", "aria-label": "Pages as they will print", hidden: "", dir: "ltr",
    lang: "en" }, pagesTitle, pagesStatus, pageList);
  let shownStamp = null;

  function view(which) {
    const pages = which === "pages";
    pagesView.hidden = !pages;
    pagesTitle.textContent = `${document.title}: the pages as they will print`;
    document.getElementById("bg-brief").hidden = pages;
    textButton.setAttribute("aria-pressed", String(!pages));
    pagesButton.setAttribute("aria-pressed", String(pages));
    if (pages) fetch("/api/pages?open=1", { cache: "no-store" }).then((r) => r.json()).then(showPages);
  }
  bg.pagesChanged = () => fetch("/api/pages", { cache: "no-store" }).then((r) => r.json()).then(showPages);

  function showPages(p) {
    if (!p) return;
    let text = p.status === "done" ? `${bg.plural(p.pages, "page")}, laid out in ${p.seconds} s` : p.status === "failed"
      ? "layout failed: " + (p.errors || []).join("; ") : p.status === "not laid out" ? p.reason : "laying out…";
    if (p.stale) text += ` (these pages are of an earlier version: ${p.reason || "the latest could not be laid out"})`;
    else if (p.busy) text += " (laying out the latest save…)";
    pagesStatus.textContent = text;
    pagesView.dataset.pages = p.status === "done" ? p.pages : "";
    if (p.stamp === undefined || p.stamp === shownStamp) return;
    shownStamp = p.stamp;
    pageList.replaceChildren(...Array.from({ length: p.pages }, (_, i) => el("img", {
      src: `/pages/${p.stamp}/${i + 1}.png`, alt: `Page ${i + 1} of ${p.pages}`, class: "bg-page",
      loading: i < 2 ? "eager" : "lazy", width: "893", height: "1263" })));
  }

  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "f" && document.activeElement !== input) {
      ev.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (ev.key === "Escape" && !evidence.hidden && ev.target !== input) closePanel(true);
  });
  document.addEventListener("click", (ev) => {
    const call = ev.target.closest("#bg-brief .fn");
    if (!call) return;
    ev.preventDefault();
    opener = call.querySelector(".bg-call");
    showCitation(call.dataset.key, true);
  });

  bg.hooks.start = [() => {
    bg.tools.append(el("span", { class: "bg-views", role: "group", "aria-label": "View" }, textButton, pagesButton),
      el("span", { class: "bg-find", role: "search" }, input, found));
    document.getElementById("bg-brief").after(pagesView);
    document.body.append(evidence);
  }];
  bg.hooks.state.push((st) => showPages(st.pages));
  bg.hooks.updated.push((st, focusedKey) => {
    labelCalls(st);
    if (input.value.trim()) searchBrief(input.value);
    if (focusedKey) { const call = callFor(focusedKey); if (call) call.focus({ preventScroll: true }); }
    if (openKey && !evidence.hidden) showCitation(openKey, false);
  });
})();
