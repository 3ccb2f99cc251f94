// Make the memory snapshot the browser restores instead of starting Python: Pyodide started in Node, the
// calculators wheel unpacked and every widget imported, then Pyodide's heap written to a file.
//
//   node hooks/runtime/pyodide_snapshot.mjs <pyodide dir> <wheel> <output>
//
// Restoring a snapshot skips the interpreter's start-up and every import, which is most of a first visit's wait.
// The bytes must be the same on every build (reproducible site), so the clocks and the entropy source Python
// sees while the snapshot is made are deterministic; the browser's real ones take over after the restore.
import crypto from "node:crypto";
import fs from "node:fs";

const [pyodideDir, wheel, output] = process.argv.slice(2);
if (!output) {
  console.error("usage: node hooks/runtime/pyodide_snapshot.mjs <pyodide dir> <wheel> <output>");
  process.exit(2);
}

let state = 0x2545f491;  // xorshift32: fixed "random" bytes for the hash secret and the random module's seed
const fill = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    bytes[i] = state & 255;
  }
  return array;
};
crypto.randomFillSync = fill;
globalThis.crypto.getRandomValues = fill;
const epochMs = 1767225600000;  // 2026-01-01: file times inside the snapshot
Date.now = () => epochMs;
let ticks = 0;
performance.now = () => (ticks += 1);

process.argv[1] = "pyodide";  // Emscripten keeps it as the program name: no checkout path in the snapshot

const { loadPyodide } = await import(new URL("pyodide.mjs", `file://${fs.realpathSync(pyodideDir)}/`).href);
const pyodide = await loadPyodide({ indexURL: `${fs.realpathSync(pyodideDir)}/`, _makeSnapshot: true,
  env: { PYTHONHASHSEED: "0" }, args: [] });
pyodide.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel");
const widgets = pyodide.pyimport("calculators.widgets");
widgets.warm_up();
fs.writeFileSync(output, pyodide.makeMemorySnapshot());
