// Run tests/pyodide/parity_cases.py inside Pyodide (Node.js, the npm package the site serves) and print its JSON.
// Usage: node run_in_pyodide.mjs <pyodide dir> <calculators wheel> <python file> [<cases JSON file>]
import { readFileSync } from "node:fs";
import path from "node:path";

const [pyodideDir, wheel, script, casesFile] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
const version = pyodide.runPython("import sys; '.'.join(map(str, sys.version_info[:3]))");
pyodide.runPython(readFileSync(script, "utf8"));
pyodide.globals.set("CASES_JSON", casesFile ? readFileSync(casesFile, "utf8") : "[]");
const output = pyodide.runPython("compute_all(CASES_JSON)");
process.stdout.write(JSON.stringify({ python: version, output }));
