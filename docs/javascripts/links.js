// "Link to this entry": citations carry the date the reader copies them, not the build date.
(() => {
  "use strict";
  const today = new Date().toISOString().slice(0, 10);
  function refresh() {
    document.querySelectorAll("details.link code").forEach((code) => {
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        node.nodeValue = node.nodeValue.replace(/accessed \d{4}-\d{2}-\d{2}/g, `accessed ${today}`);
      }
    });
  }
  // Every page, instant navigation included (page.js); refresh is idempotent.
  window.gpuGlossary.onEveryPage(refresh);
})();
