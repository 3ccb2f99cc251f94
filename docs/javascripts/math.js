// Render pymdownx.arithmatex math with the self-hosted KaTeX, loaded only on pages that have math.
(() => {
  "use strict";
  const KATEX = new URL("../assets/katex/", document.currentScript.src);
  let loading = null;

  function loadKatex() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = new URL("katex.min.css", KATEX).href;
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = new URL("katex.min.js", KATEX).href;
        script.onload = () => resolve(window.katex);
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function render() {
    const nodes = document.querySelectorAll(".arithmatex:not([data-katex])");
    if (!nodes.length) return;
    loadKatex().then((katex) => {
      nodes.forEach((node) => {
        if (node.dataset.katex) return;  // rendered by an earlier call while KaTeX was loading
        const text = node.textContent.trim();
        const display = node.tagName === "DIV";
        const tex = text.replace(/^\\\[|\\\]$/g, "").replace(/^\\\(|\\\)$/g, "");
        katex.render(tex, node, { displayMode: display, throwOnError: false });
        node.dataset.katex = "done";
      });
    }, () => {});
  }

  // Every page, instant navigation included (page.js); render is idempotent.
  window.gpuGlossary.onEveryPage(render);
})();
