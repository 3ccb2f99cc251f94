// Register the service worker (sw.js at the site root) so pages and calculators work offline after one visit.
(() => {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const worker = new URL("../sw.js", document.currentScript.src);
  // widgets.js (loaded next) waits for this on a first visit, so that Pyodide's files go through the worker's cache.
  window.__offlineWorker = navigator.serviceWorker
    .register(worker, { scope: new URL("../", document.currentScript.src).pathname })
    .catch((error) => { console.warn("offline mode unavailable:", error); return null; });
})();
