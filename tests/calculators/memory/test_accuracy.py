"""The accuracy benchmark against measured peaks, and the generated documentation files."""

import importlib.util
import re

from calculators.charts import PALETTE
from tests.calculators.truth import ROOT

spec = importlib.util.spec_from_file_location("benchmark_memory", ROOT / "scripts" / "benchmark_memory.py")
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def test_accuracy_targets_on_reference_measurements():
    rows = benchmark.run_benchmark()
    assert len(rows) >= 19
    summary = benchmark.summary(rows)
    report = "\n".join(f"{r.model} {r.setup}: {r.error:+.2%}" for r in rows)
    assert summary["median_abs_error"] <= benchmark.TARGET_MEDIAN, report
    assert summary["max_abs_error"] <= benchmark.TARGET_MAX, report
    assert summary["naive_median_abs_error"] > 4 * summary["median_abs_error"]


def test_generated_files_are_up_to_date():
    assert benchmark.main(["--check"]) == 0, "run: python scripts/benchmark_memory.py"


def test_generated_svg_reads_in_both_themes():
    svg = benchmark.SVG.read_text(encoding="utf-8")
    assert "<title" in svg and "<desc" in svg and 'fill="currentColor"' in svg  # text follows the page's palette
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', svg))
    assert colours and colours <= set(PALETTE)  # only the charts' mid-tone colours, legible on light and dark
    assert svg.count("<circle") >= len(benchmark.run_benchmark())  # a marker per case (and the legend's)
