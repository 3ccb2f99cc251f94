"""Speed budget of the built site in headless Chromium, served on 127.0.0.1 (median of several runs).

    python scripts/benchmark_site.py [--runs 5] [--site DIR] [--write]

Measures: prerendered values present at first paint; time from navigation to the first result computed by
Python in the browser on a cold visit (empty cache), on a repeat visit in a new tab of the same browser window
(2 s after the first visit's tab is closed: HTTP cache, code caches, service worker and kept snapshot warm, nothing
in memory) and on a repeat visit in the same tab (what that tab's renderer compiled is still in memory); for
reference, a repeat visit in a new browser window (the browser also starts the window's own interface then);
input-to-result time of a recompute; that a glossary page without widgets fetches no Pyodide file; and that
Pyodide is fetched once per visit across instant navigation. ``--write`` puts the table into
docs/performance.md between its markers. Budgets: cold ≤ 2.5 s, repeat ≤ 1.0 s, recompute ≤ 50 ms (medians).
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.site_harness import CHROMIUM_ARGS, RecordingHandler, build_site, find_chromium, free_port, serve  # noqa: E402

PAGE = "calculators/inference-memory/"
#: A page with the same calculator and nothing else (no theme, no search, no other scripts), written into the site for
#: the run: what Pyodide and the calculators' scripts alone take, the floor under the calculator page's times on this
#: machine. page.js holds the namespace and helper the other two use (and registers the offline worker, which by then
#: controls the page already, so nothing waits for it).
RUNTIME_ONLY = "benchmark-runtime-only/"
RUNTIME_ONLY_SCRIPTS = ("page", "runtime", "widgets")
BUDGETS_MS = {"cold_first_result": 2500, "repeat_first_result": 1000, "repeat_same_tab_first_result": 1000,
              "recompute": 50}
MARKERS = ("<!-- benchmark:start -->", "<!-- benchmark:end -->")


def write_runtime_only_page(site: pathlib.Path) -> pathlib.Path:
    from hooks.markdown.calculator_fence import Fence, PageWidgets
    fence = Fence(json.loads((site / "assets" / "pyodide" / "runtime.json").read_text()))
    widget = fence.render({"widget": "inference-memory"}, PageWidgets())
    page = site / RUNTIME_ONLY / "index.html"
    page.parent.mkdir(exist_ok=True)
    scripts = "".join(f'<script src="../javascripts/{name}.js"></script>' for name in RUNTIME_ONLY_SCRIPTS)
    page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Runtime only</title></head>'
                    f'<body>{widget}{scripts}</body></html>')
    return page


def new_tab_after_closing(context, page):
    """A new tab in the same browser profile, 2 s after closing ``page``: nothing it left running competes. While
    another tab of the context is open this is a tab in the same window; with none, Chromium opens a new window."""
    page.close()
    time.sleep(2)
    return context.new_page()


def first_result_ms(page, url) -> float:
    page.goto(url)
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=120_000)
    return page.evaluate("() => window.gpuGlossary.firstResultMs")


def recompute_ms(page, changes: int) -> list[float]:
    widget = page.locator(".calc-widget").first
    field = widget.locator('input[name="batch"]')
    latencies = []
    for index in range(changes):
        before = widget.get_attribute("data-calc-runs") or "0"
        field.fill(str(2 + index))
        page.wait_for_function("v => document.querySelector('.calc-widget').dataset.calcRuns !== v", arg=before)
        latencies.append(float(widget.get_attribute("data-calc-latency-ms")))
    return latencies


def run(site: pathlib.Path, base: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    results = {"cold_first_result": [], "repeat_first_result": [], "repeat_same_tab_first_result": [], "recompute": [],
               "runtime_only_repeat_first_result": [], "repeat_new_window_first_result": [],
               "prerendered_at_first_paint": [], "glossary_page_pyodide_requests": [], "wasm_fetches_per_visit": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context()
            # The reader's browser window: an idle tab that stays open, so the repeat visits below open tabs in it.
            # (Closing a window's last tab closes the window; the next tab then opens a new window, and Chromium
            # starts that window's own interface, such as the address bar's suggestion list, at the same time.)
            window = context.new_page()
            page = context.new_page()
            RecordingHandler.served.clear()
            results["cold_first_result"].append(first_result_ms(page, base + PAGE))
            painted = page.evaluate("""() => {
                const paint = performance.getEntriesByName('first-contentful-paint')[0];
                return Boolean(paint) && document.querySelector('[data-out="total"]').textContent.trim().length > 0; }""")
            results["prerendered_at_first_paint"].append(painted)
            results["recompute"].extend(recompute_ms(page, 10))
            page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=120_000)  # precaching done, as for a returning reader
            # Back to the calculator in the same tab: the browser process and this tab's renderer keep what they
            # compiled in memory.
            results["repeat_same_tab_first_result"].append(first_result_ms(page, base + PAGE))
            page.goto(base + "glossary/vram/")
            page.evaluate("window.__navMarker = 1")  # survives only if the next navigation stays in this document
            page.locator("article a", has_text="weights").first.click()  # instant navigation to a widget entry
            page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=120_000)
            if page.evaluate("window.__navMarker") != 1:
                raise SystemExit("instant navigation did not happen: the wasm count below would mean nothing")
            results["wasm_fetches_per_visit"].append(RecordingHandler.served.count("/assets/pyodide/pyodide.asm.wasm"))
            # A returning reader: a new tab in the same browser window and profile (its HTTP cache, offline worker,
            # code caches and kept snapshot), opened after the first visit's tab was closed.
            page = new_tab_after_closing(context, page)
            results["repeat_first_result"].append(first_result_ms(page, base + PAGE))
            page = new_tab_after_closing(context, page)
            results["runtime_only_repeat_first_result"].append(first_result_ms(page, base + RUNTIME_ONLY))
            # For reference: the same profile, but the window closed too, so the visit opens a new window.
            window.close()
            page = new_tab_after_closing(context, page)
            results["repeat_new_window_first_result"].append(first_result_ms(page, base + PAGE))
            context.close()
            fresh = browser.new_context()
            RecordingHandler.served.clear()
            glossary_page = fresh.new_page()
            glossary_page.goto(base + "glossary/arithmetic-bandwidth/")  # an entry without a widget
            glossary_page.wait_for_load_state("networkidle")
            results["glossary_page_pyodide_requests"].append(
                sum("/assets/pyodide/" in path for path in RecordingHandler.served))
            fresh.close()
        browser.close()
    return results


def summary(results: dict) -> dict:
    medians = {key: statistics.median(results[key]) for key in BUDGETS_MS}
    return {
        "medians_ms": {k: round(v, 1) for k, v in medians.items()},
        "reference_medians_ms": {key: round(statistics.median(results[key]), 1)
                                 for key in ("runtime_only_repeat_first_result", "repeat_new_window_first_result")},
        "budgets_ms": BUDGETS_MS,
        "within_budget": {k: medians[k] <= BUDGETS_MS[k] for k in BUDGETS_MS},
        "prerendered_at_first_paint": all(results["prerendered_at_first_paint"]),
        "glossary_page_pyodide_requests": max(results["glossary_page_pyodide_requests"]),
        "wasm_fetches_per_visit": max(results["wasm_fetches_per_visit"]),
        "runs": len(results["cold_first_result"]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}",
        "date": datetime.date.today().isoformat(),
    }


def table(report: dict) -> str:
    names = {"cold_first_result": "Cold visit: navigation to first Python-computed result",
             "repeat_first_result": "Repeat visit in a new tab: navigation to first Python-computed result",
             "repeat_same_tab_first_result": "Repeat visit in the same tab: navigation to first Python-computed result",
             "recompute": "Recompute after an input change (input to result)"}
    rows = ["| Measure | Median | Budget | Met |", "|---|---|---|---|"]
    for key, label in names.items():
        median, budget = report["medians_ms"][key], report["budgets_ms"][key]
        rows.append(f"| {label} | {median:,.0f} ms | {budget:,} ms | {'yes' if median <= budget else '**no**'} |")
    references = {"runtime_only_repeat_first_result": "the same calculator on a page with nothing else, new tab",
                  "repeat_new_window_first_result": "repeat visit in a new browser window"}
    for key, label in references.items():
        rows.append(f"| Reference, not a budget: {label} | {report['reference_medians_ms'][key]:,.0f} ms | – | – |")
    rows.append(f"| Prerendered values present at first paint | {'yes' if report['prerendered_at_first_paint'] else 'no'} | yes | "
                f"{'yes' if report['prerendered_at_first_paint'] else '**no**'} |")
    rows.append(f"| Pyodide files fetched by a glossary page without widgets | {report['glossary_page_pyodide_requests']} | 0 | "
                f"{'yes' if report['glossary_page_pyodide_requests'] == 0 else '**no**'} |")
    rows.append(f"| `pyodide.asm.wasm` fetches per visit (with instant navigation) | {report['wasm_fetches_per_visit']} | 1 | "
                f"{'yes' if report['wasm_fetches_per_visit'] == 1 else '**no**'} |")
    return "\n".join(rows) + (f"\n\nMedian of {report['runs']} runs on {report['date']}; {report['machine']}; headless Chromium; "
                              "site served by Python's http.server on 127.0.0.1.\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=pathlib.Path, help="an already built site (default: build one)")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site, port = pathlib.Path(tmp) / "site", free_port()
            result = build_site(site, f"http://127.0.0.1:{port}/")
            if result.returncode != 0:
                print(result.stdout + result.stderr, file=sys.stderr)
                return 1
        else:  # instant navigation needs the port the site was built for (its sitemap's)
            port = int(re.search(r"<loc>https?://[^:/]+:(\d+)/", (site / "sitemap.xml").read_text()).group(1))
        runtime_only = write_runtime_only_page(site)
        try:
            base, server = serve(site, port)
            try:
                report = summary(run(site, base, args.runs))
            finally:
                server.shutdown()
        finally:
            runtime_only.unlink()
            runtime_only.parent.rmdir()
    print(json.dumps(report, indent=1))
    if args.write:
        path = ROOT / "docs" / "performance.md"
        text = path.read_text()
        start, end = (text.index(marker) for marker in MARKERS)
        path.write_text(text[: start + len(MARKERS[0])] + "\n" + table(report) + text[end:])
    return 0 if all(report["within_budget"].values()) else 3


if __name__ == "__main__":
    sys.exit(main())
