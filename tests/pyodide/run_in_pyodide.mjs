// Run tests/pyodide/parity_cases.py inside Pyodide (Node.js, the npm package the site serves) and print its JSON.
// Usage: node run_in_pyodide.mjs <pyodide dir> <calculators wheel> <python file>
import { readFileSync } from "node:fs";
import path from "node:path";

const [pyodideDir, wheel, script] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
const version = pyodide.runPython("import sys; '.'.join(map(str, sys.version_info[:3]))");
pyodide.runPython(readFileSync(script, "utf8"));
const output = pyodide.runPython("compute_all()");
process.stdout.write(JSON.stringify({ python: version, output }));
