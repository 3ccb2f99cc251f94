// The Python runtime (Pyodide) for the calculator widgets: started once per visit, only when a widget asks for it.
// widgets.js uses it through window.gpuGlossary.runtime:
//   start(described)  starts Python (later calls return the same promise). `described` is a widget's data-runtime:
//                     this build's snapshot, wheel and lock file (hooks/markdown/calculator_fence.py). Resolves to the
//                     calculators, { run(widget, inputs) }: the result object for those inputs (calculators.widgets);
//                     rejects if Python cannot start.
//   started           whether start has been called.
//   status, watch(fn) the latest progress message, and a way to hear the next ones.
//   timings           when each step of the start finished (ms since navigation) and whether the snapshot was used.
//   expandSnapshot    the snapshot decoder, here for tests/javascripts (the reference is hooks/runtime/snapshot_format.py).
(() => {
  "use strict";
  const site = window.gpuGlossary = window.gpuGlossary || {};
  if (site.runtime) return;
  const ASSETS = new URL("../assets/pyodide/", document.currentScript.src);
  // The inflated snapshot's cache, named after this copy of the site as sw.js names its caches (one origin may
  // hold several sites, or two copies of this one).
  const SNAPSHOTS = `gpu-glossary ${new URL("../", document.currentScript.src).pathname} calculators-snapshots`;
  const watchers = new Set();
  let starting = null;
  const runtime = site.runtime = {
    start: (described) => starting || (starting = loadRuntime(described)),
    get started() { return starting !== null; },
    status: "",
    watch: (watcher) => { watchers.add(watcher); },
    timings: {},
    snapshotCache: SNAPSHOTS,
    expandSnapshot,
  };

  function announce(message) {
    runtime.status = message;
    watchers.forEach((watch) => watch(message));
  }

  // On a first visit the offline worker (page.js) takes control within moments; waiting briefly for it lets
  // Pyodide's files go through its cache, so the calculators work offline afterwards.
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
  function loadRuntime(described) {
    let fail;
    const watch = new Promise((_, reject) => {
      fail = reject;
      window.addEventListener("unhandledrejection", (event) => reject(event.reason), { once: true });
      setTimeout(() => reject(new Error("the Python runtime took too long to start")), 120000);
    });
    return Promise.race([startRuntime(fail, described), watch]);
  }

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
    // hooks/runtime/pyodide_snapshot.mjs); restoring it takes a fraction of a fresh start. Any problem with it falls back
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
    // The one call into Python: inputs as JSON in, the result as JSON out (calculators.widgets.run_json).
    return { run: (widget, inputs) => JSON.parse(module.run_json(widget, JSON.stringify(inputs))) };
  }

  // The snapshot leaves out the heap's all-zero pages (format: hooks/runtime/snapshot_format.py) and is gzip-compressed on
  // the server. The inflated file is kept in cache storage, so a later visit (or an offline one) reads it back without
  // downloading or inflating it again. A server that decoded the file itself (Content-Encoding) hands over the
  // inflated bytes, which are used as they are. gzip's CRC rejects a damaged download; the layout check rejects a
  // damaged file in the cache.
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
})();
