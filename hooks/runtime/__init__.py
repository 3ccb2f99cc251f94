"""Ship the browser runtime: the calculators wheel and snapshot, self-hosted Pyodide and KaTeX, the service worker."""
