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
    .then((registration) => { offerUpdates(registration); return registration; })
    .catch((error) => { console.warn("offline mode unavailable:", error); return null; });

  // A new build is stored whole by its worker before it may serve anything; it then waits, and the reader is told.
  // Taking it reloads every page of the site at once, so no tab mixes one build's page with another's scripts.
  function offerUpdates(registration) {
    const offer = (waiting) => { if (waiting && navigator.serviceWorker.controller) site.onEveryPage(() => notice(waiting)); };
    offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const installing = registration.installing;
      installing?.addEventListener("statechange", () => { if (installing.state === "installed") offer(installing); });
    });
    // The first worker taking control changes nothing on the page; a new build taking over reloads each open page
    // (calculator inputs live in the address, so they come back).
    const updating = !!navigator.serviceWorker.controller;
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloading || !updating) return;
      reloading = true;
      location.reload();
    });
  }

  function notice(waiting) {
    if (document.querySelector(".site-update")) return;
    const bar = document.createElement("div");
    bar.className = "site-update";
    bar.setAttribute("role", "status");
    bar.textContent = "A newer version of this site is ready. ";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload to update";
    button.addEventListener("click", () => waiting.postMessage("activate-update"));
    bar.append(button);
    document.body.append(bar);
  }
})();
