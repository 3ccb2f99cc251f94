// Runs first on every page: the site's namespace, the "on every page" helper, and the offline worker.
// window.gpuGlossary is the one object the site's scripts share (whichever script runs first creates it; on
// calculator pages that is the theme gate in overrides/main.html):
//   onEveryPage(fn)  here          offlineWorker  here (a promise of the registration, or absent)
//   themeGate        main.html     runtime        runtime.js     widgets, firstResultMs  widgets.js
(() => {
  "use strict";
  const site = window.gpuGlossary = window.gpuGlossary || {};

  // Run `fn` once the page is parsed, and, once the theme's document$ exists, on every page it opens by instant
  // navigation. On calculator pages the theme's script starts late and sends DOMContentLoaded again
  // (overrides/main.html): `fn` then runs again for the same page, so it must be idempotent.
  site.onEveryPage = (fn) => {
    const subscribe = () => (window.document$ ? window.document$.subscribe(fn) : fn());
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", subscribe);
    else subscribe();
  };

  // The offline worker (sw.js at the site root): pages and calculators work offline after one visit. runtime.js
  // waits for this on a first visit, so that Pyodide's files go through the worker's cache.
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const worker = new URL("../sw.js", document.currentScript.src);
  site.offlineWorker = navigator.serviceWorker
    .register(worker, { scope: new URL("../", document.currentScript.src).pathname })
    .catch((error) => { console.warn("offline mode unavailable:", error); return null; });
})();
