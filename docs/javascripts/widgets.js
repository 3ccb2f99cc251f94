// Calculator widgets: marshal form inputs to the Python calculators and draw what they return. Python itself is
// runtime.js (window.gpuGlossary.runtime); it starts once per visit, only on pages with a widget, when one comes
// into view.
(() => {
  "use strict";
  const site = window.gpuGlossary = window.gpuGlossary || {};
  const runtime = site.runtime;
  const state = site.widgets || (site.widgets = { inits: 0 });

  function readInputs(widget) {
    const values = {};
    widget.querySelectorAll("input[name], select[name], textarea[name]").forEach((el) => { values[el.name] = el.value; });
    return values;
  }

  function showResult(widget, result) {
    widget.querySelectorAll("[data-error-for]").forEach((slot) => { slot.textContent = ""; });
    widget.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    if (!result.ok) {
      const field = result.field && widget.querySelector(`[name="${CSS.escape(result.field)}"]`);
      const slot = field ? widget.querySelector(`[data-error-for="${CSS.escape(result.field)}"]`) : widget.querySelector('[data-error-for=""]');
      slot.textContent = result.message;  // text, never markup
      if (field) field.setAttribute("aria-invalid", "true");
      widget.classList.add("calc-has-error");
      return;
    }
    widget.classList.remove("calc-has-error");
    for (const [name, value] of Object.entries(result.outputs)) {
      const out = widget.querySelector(`[data-out="${CSS.escape(name)}"]`);
      if (!out) continue;
      if (out.dataset.outKind === "markup") out.innerHTML = value;  // chart or table built and escaped by the calculators
      else out.textContent = value;
    }
  }

  // Shared links: every input lives in the address as ?<url-key>.<field>=<value>&v=1, so a copied address
  // reproduces the calculation. v is the format version of these parameters; old names are read through aliases.
  const URL_VERSION = "1";

  function restoreFromUrl(widget) {
    const params = new URLSearchParams(location.search);
    const key = widget.dataset.urlKey;
    const aliases = JSON.parse(widget.dataset.aliases || "{}");
    let restored = false;
    widget.querySelectorAll("[name]").forEach((el) => {
      const names = [el.name, ...(aliases[el.name] || [])];
      const found = names.map((name) => params.get(`${key}.${name}`)).find((value) => value !== null);
      if (found === undefined) return;
      if (el.tagName === "SELECT" && ![...el.options].some((option) => option.value === found)) {
        el.add(new Option(found, found));  // keep what the link said, so the calculator can name the problem
      }
      el.value = found;
      restored = true;
    });
    return restored;
  }

  function saveToUrl(widget) {
    const url = new URL(location.href);
    const key = widget.dataset.urlKey;
    for (const [name, value] of Object.entries(readInputs(widget))) url.searchParams.set(`${key}.${name}`, value);
    url.searchParams.set("v", URL_VERSION);
    history.replaceState(history.state, "", url);
  }

  async function copyLink(widget) {
    saveToUrl(widget);
    const note = widget.querySelector("[data-calc-copied]");
    try {
      await navigator.clipboard.writeText(location.href);
      note.textContent = "Link copied.";
    } catch (error) {
      note.textContent = "Copy this address from the address bar.";
    }
  }

  async function compute(widget) {
    const status = widget.querySelector("[data-calc-status]");
    try {
      const calculators = await runtime.start(widget.dataset.runtime);
      const started = performance.now();
      const result = calculators.run(widget.dataset.widget, readInputs(widget));
      showResult(widget, result);
      widget.dataset.calcState = "live";
      // Timings read by scripts/benchmark_site.py: Python time, input-to-result time, first result on the page.
      widget.dataset.calcMs = (performance.now() - started).toFixed(2);
      if (widget.calcInputAt) widget.dataset.calcLatencyMs = (performance.now() - widget.calcInputAt).toFixed(2);
      widget.dataset.calcRuns = String(Number(widget.dataset.calcRuns || 0) + 1);
      if (!site.firstResultMs) site.firstResultMs = performance.now();
      status.textContent = "Computed in your browser by the same Python that built this page.";
    } catch (error) {
      widget.dataset.calcState = "failed";
      status.textContent = "Interactive mode is unavailable (the Python runtime did not load); the result shown was computed "
        + (widget.dataset.fromUrl ? "for this page's default inputs, not the ones in the link." : "when the page was built.");
      console.error(error);
    } finally {
      if (site.themeGate) site.themeGate();  // the theme's script may start now (overrides/main.html)
    }
  }

  function bind(widget) {
    if (widget.dataset.calcBound) return;
    widget.dataset.calcBound = "true";
    const status = widget.querySelector("[data-calc-status]");
    const watch = (message) => { if (widget.dataset.calcState !== "live" && widget.dataset.calcState !== "failed") status.textContent = message; };
    runtime.watch(watch);
    const start = () => {
      if (widget.dataset.calcState) return;
      widget.dataset.calcState = "loading";
      if (runtime.status) watch(runtime.status);
      runtime.start(widget.dataset.runtime).then(() => compute(widget), () => compute(widget));
    };
    const form = widget.querySelector("form");
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("input", () => { widget.calcInputAt = performance.now(); saveToUrl(widget); start(); compute(widget); });
    const copy = widget.querySelector("[data-calc-copy]");
    copy.hidden = false;
    copy.addEventListener("click", () => copyLink(widget));
    if (restoreFromUrl(widget)) {
      widget.dataset.fromUrl = "true";
      status.textContent = "Recomputing for the inputs in this link…";
      start();
    }
    // Python starts (once per visit) when a widget comes into view or is touched: at once on a calculator page, not
    // at all for a reader who never scrolls down to an entry's widget.
    widget.addEventListener("focusin", start);
    widget.addEventListener("pointerdown", start);
    // A widget already in view starts Python at once, not after the first paint (when the observer would report it).
    if (!("IntersectionObserver" in window) || widget.getBoundingClientRect().top < window.innerHeight) return start();
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) { observer.disconnect(); start(); }
    });
    observer.observe(widget);
  }

  function init() {
    state.inits += 1;
    document.querySelectorAll(".calc-widget").forEach(bind);
    // No calculator in view, so Python is not starting: nothing to wait for before the theme's script.
    if (!runtime.started && site.themeGate) site.themeGate();
  }

  // A page that opens with a calculator binds its widgets before the theme's script runs (it starts after the first
  // result there); the theme's document$ then binds the widgets of pages reached by instant navigation (binding is
  // idempotent, and DOMContentLoaded comes twice on such a page: overrides/main.html).
  if (document.querySelector(".calc-widget")) init();
  site.onEveryPage(init);
})();
