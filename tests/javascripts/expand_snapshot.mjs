// Decode snapshot files with the browser's decoder: docs/javascripts/runtime.js, run as it is with the little of a
// page it needs at load (its own address), and its gpuGlossary.runtime.expandSnapshot called on each file.
// Usage: node expand_snapshot.mjs <runtime.js> <file>...   Writes <file>.heap for each file it accepts and prints,
// as JSON, one entry per file: {"ok": true} or {"ok": false, "error": "<message>"}.
import { readFileSync, writeFileSync } from "node:fs";
import { runInThisContext } from "node:vm";

const [script, ...files] = process.argv.slice(2);
globalThis.window = globalThis;
globalThis.document = { currentScript: { src: "https://example.invalid/javascripts/runtime.js" } };
runInThisContext(readFileSync(script, "utf8"), { filename: script });
const { expandSnapshot } = window.gpuGlossary.runtime;
const results = files.map((file) => {
  try {
    writeFileSync(`${file}.heap`, expandSnapshot(new Uint8Array(readFileSync(file))));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: String(error.message) };
  }
});
process.stdout.write(JSON.stringify(results));
