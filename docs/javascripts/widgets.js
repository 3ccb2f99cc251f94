// Calculator widgets: marshal form inputs to the Python calculators (Pyodide) and draw what they return.
// Python starts once per visit, only on pages with a widget, when one comes into view.
(() => {
  "use strict";
  const ASSETS = new URL("../assets/pyodide/", document.currentScript.src);
  const site = window.gpuGlossary = window.gpuGlossary || {};  // the site's scripts' namespace (page.js)
  const runtime = site.runtime || (site.runtime = { promise: null, status: "", watchers: new Set() });
  const state = site.widgets || (site.widgets = { inits: 0 });

  function announce(message) {
    runtime.status = message;
    runtime.watchers.forEach((watch) => watch(message));
  }

  // On a first visit the offline worker (page.js, loaded before this script) takes control within moments;
  // waiting briefly for it lets Pyodide's files go through its cache, so the calculators work offline afterwards.
  async function offlineWorkerReady(limitMs) {
    const sw = navigator.serviceWorker;
    if (!sw || sw.controller || !site.offlineWorker) return;
    const sleep = () => new Promise((resolve) => setTimeout(resolve, limitMs));
    const registration = await Promise.race([site.offlineWorker, sleep()]);
    if (!registration || sw.controller) return;  // no worker coming (blocked, unsupported): do not wait
    await Promise.race([new Promise((resolve) => sw.addEventListener("controllerchange", resolve, { once: true })), sleep()]);
  }

  // Pyodide can stall instead of failing when one of its files is missing or corrupt. Its error output (an abort or
  // a failed WebAssembly compile), an unhandled rejection while it starts, or a long silence all count as failures.
  function loadRuntime(widget) {
    if (!runtime.promise) {
      let fail;
      const watch = new Promise((_, reject) => {
        fail = reject;
        window.addEventListener("unhandledrejection", (event) => reject(event.reason), { once: true });
        setTimeout(() => reject(new Error("the Python runtime took too long to start")), 120000);
      });
      runtime.promise = Promise.race([startRuntime(fail, widget.dataset.runtime), watch]);
    }
    return runtime.promise;
  }

  // `described` is the widget's data-runtime: this build's snapshot, wheel and lock file (hooks/calculator_fence.py).
  async function startRuntime(fail, described) {
    const mark = (name) => { runtime.timings[name] = Math.round(performance.now()); };
    runtime.timings = {};
    mark("start");
    announce("Starting Python in your browser (1/3)…");
    if (!described) throw new Error("this page names no Python runtime");
    const info = JSON.parse(described);
    // The snapshot is kept by this script, not by the offline worker, so its download starts before the wait below.
    const snapshot = info.snapshot ? fetchSnapshot(new URL(info.snapshot, ASSETS)) : null;
    if (snapshot) snapshot.catch(() => {});  // a bad snapshot is handled below (fresh start), not a runtime failure
    await offlineWorkerReady(1500);
    const { loadPyodide } = await import(new URL("pyodide.mjs", ASSETS).href);
    mark("loader");
    const stderr = (line) => {
      if (/^Aborted\(|instantiation failed|CompileError|LinkError/.test(line)) fail(new Error(line));
      console.warn(line);
    };
    const options = { indexURL: ASSETS.href, packageBaseUrl: ASSETS.href, stderr };
    if (info.lock_file) options.lockFileURL = new URL(`${info.lock_file}?v=${info.wheel_sha256.slice(0, 16)}`, ASSETS).href;
    // Pyodide 0.29 reports a WebAssembly instantiation failure only with console.warn and then never settles.
    const warn = console.warn;
    console.warn = (...args) => {
      if (String(args[0]).includes("wasm instantiation failed")) fail(new Error(String(args[0])));
      warn.apply(console, args);
    };
    // The site serves a memory snapshot of Python with the calculators already imported (made at build time by
    // hooks/pyodide_snapshot.mjs); restoring it takes a fraction of a fresh start. Any problem with it falls back
    // to the fresh start.
    let pyodide;
    let restored = false;
    try {
      if (snapshot) {
        try {
          pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot });
          restored = true;
        } catch (error) {
          console.warn("could not restore the Python snapshot; starting Python from scratch:", error);
        }
      }
      if (!pyodide) pyodide = await loadPyodide(options);
    } finally {
      console.warn = warn;
    }
    mark("python");
    announce("Loading the calculators (2/3)…");
    // A restored snapshot already holds every calculators module and data file in memory (widgets.warm_up); a
    // fresh start installs the package from its wheel.
    if (!restored) pyodide.unpackArchive(await fetchWheel(info), "wheel");
    const module = pyodide.pyimport("calculators.widgets");
    mark("imported");
    announce("Ready (3/3).");
    runtime.timings.snapshot = restored;
    return module;
  }

  // The snapshot leaves out the heap's all-zero pages (format: hooks/snapshot_format.py) and is gzip-compressed on
  // the server. The inflated file is kept in cache storage, so a later visit (or an offline one) reads it back without
  // downloading or inflating it again. A server that decoded the file itself (Content-Encoding) hands over the
  // inflated bytes, which are used as they are. gzip's CRC rejects a damaged download; the layout check rejects a
  // damaged file in the cache.
  const SNAPSHOTS = "calculators-snapshots";

  async function fetchSnapshot(url) {
    const kept = window.caches ? await caches.match(url.href, { cacheName: SNAPSHOTS }).catch(() => null) : null;
    if (kept) {
      try {
        return expandSnapshot(new Uint8Array(await kept.arrayBuffer()));
      } catch (error) {
        console.warn("the kept Python snapshot is damaged; fetching it again:", error);  // replaced below
      }
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the Python snapshot could not be fetched (${response.status})`);
    let bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    }
    const heap = expandSnapshot(bytes);
    keepSnapshot(url.href, bytes);
    return heap;
  }

  const SNAPSHOT_MAGIC = "CALCSNP1";

  function expandSnapshot(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(0, 8)) !== SNAPSHOT_MAGIC) throw new Error("not a calculators snapshot");
    const size = view.getUint32(8, true);
    const runs = view.getUint32(12, true);
    const heap = new Uint8Array(size);
    let position = 16 + runs * 8;
    for (let index = 0; index < runs; index++) {
      const offset = view.getUint32(16 + index * 8, true);
      const length = view.getUint32(20 + index * 8, true);
      if (offset + length > size || position + length > bytes.length) throw new Error("snapshot run out of range");
      heap.set(bytes.subarray(position, position + length), offset);
      position += length;
    }
    if (position !== bytes.length) throw new Error("snapshot has trailing bytes");
    return heap;
  }

  async function keepSnapshot(key, bytes) {
    try {
      if (!window.caches) return;
      const cache = await caches.open(SNAPSHOTS);
      for (const request of await cache.keys()) if (request.url !== key) await cache.delete(request);  // one at a time
      await cache.put(key, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
    } catch (error) {
      console.warn("could not keep the Python snapshot:", error);
    }
  }

  // The calculators' wheel, named in the widget's data-runtime, checked against its SHA-256. Pyodide's loadPackage would do the
  // same but leaves JavaScript references in Python that a restored snapshot cannot have.
  async function fetchWheel(info) {
    const response = await fetch(new URL(info.wheel, ASSETS));
    if (!response.ok) throw new Error(`the calculators package could not be fetched (${response.status})`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (window.crypto && crypto.subtle) {
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
        (byte) => byte.toString(16).padStart(2, "0")).join("");
      if (digest !== info.wheel_sha256) throw new Error("the calculators package failed its integrity check");
    }
    return bytes;
  }

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
      const calculators = await loadRuntime(widget);
      const started = performance.now();
      const result = JSON.parse(calculators.run_json(widget.dataset.widget, JSON.stringify(readInputs(widget))));
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
    runtime.watchers.add(watch);
    const start = () => {
      if (widget.dataset.calcState) return;
      widget.dataset.calcState = "loading";
      if (runtime.status) watch(runtime.status);
      loadRuntime(widget).then(() => compute(widget), () => compute(widget));
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
    if (!runtime.promise && site.themeGate) site.themeGate();
  }

  // A page that opens with a calculator binds its widgets before the theme's script runs (it starts after the first
  // result there); the theme's document$ then binds the widgets of pages reached by instant navigation (binding is
  // idempotent, and DOMContentLoaded comes twice on such a page: overrides/main.html).
  if (document.querySelector(".calc-widget")) init();
  site.onEveryPage(init);
})();
