"""Accuracy benchmark: the speed model against every measured decode_sweep row, and the generated report."""

import importlib.util
import pathlib
import xml.etree.ElementTree as ET

import pytest

from tests.calculators.truth import truth_files
from validation.truth import MEASURED

ROOT = pathlib.Path(__file__).resolve().parents[3]
SPEC = importlib.util.spec_from_file_location("benchmark_speed", ROOT / "scripts" / "benchmark_speed.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


@pytest.fixture(scope="module")
def evaluated():
    rows, curves, inputs = bench.evaluate(truth_files())
    assert rows, "the project's own measurements hold decode sweeps: rows must never be empty"
    return rows, curves, inputs


def test_median_error_at_most_10_percent(evaluated):
    rows, _, _ = evaluated
    assert bench.summary(rows)["median_abs_error"] <= 0.10, bench.markdown(rows, [])


def test_largest_error_at_most_25_percent(evaluated):
    rows, _, _ = evaluated
    worst = max(rows, key=lambda r: abs(r.error))
    assert abs(worst.error) <= 0.25, worst


def test_every_sweep_row_is_covered(evaluated):
    rows, _, _ = evaluated
    measured = sum(len(r["rows"]) for r in bench_records("decode_sweep"))
    assert len(rows) == measured


def bench_records(kind):
    from tests.calculators.truth import records
    return [r for r in records(kind) if r.get("rows")]


def _inputs_of(markdown: str) -> list[str]:
    for line in markdown.splitlines():
        if line.startswith("<!-- inputs:"):
            return line.removeprefix("<!-- inputs:").removesuffix("-->").split()
    return []


def test_generated_report_is_up_to_date():
    report = bench.GENERATED / "speed-validation.md"
    assert report.exists(), "run: python scripts/benchmark_speed.py"
    wanted = set(_inputs_of(report.read_text(encoding="utf-8")))
    own = sorted(MEASURED.glob("*.jsonl"))
    for reference in (ROOT.parent / "shared" / "gpu-truth", ROOT / "validation" / "gpu-truth"):
        paths = sorted(reference.glob("*.jsonl")) + own
        _, _, inputs = bench.evaluate(paths)
        if {f"{name}:{digest}" for name, digest in inputs} == wanted:
            _, files = bench.outputs(paths)
            for path, text in files.items():
                assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run scripts/benchmark_speed.py"
            return
    pytest.skip("the measurements the report was generated from are not available here")


def test_plots_are_accessible_and_theme_neutral(evaluated):
    rows, curves, _ = evaluated
    text = (bench.GENERATED / "speed-validation-charts.html").read_text(encoding="utf-8")
    ns = "{http://www.w3.org/2000/svg}"
    figures = [ET.fromstring(chunk) for chunk in text.strip().split("\n")]
    assert len(figures) == len(curves)  # one captioned chart per measured sweep
    assert all(figure.find("figcaption").text.startswith("Decode sweep: ") for figure in figures)
    charts = [figure.find(f"{ns}svg") for figure in figures]
    for chart in charts:
        assert chart.find(f"{ns}title") is not None and chart.find(f"{ns}desc") is not None
    assert 'fill="currentColor"' in text and "#000" not in text and "#fff" not in text.lower()
    assert len(list(charts[0].iter(f"{ns}circle"))) >= len([r for r in rows if r.model == curves[0].model
                                                             and r.file == curves[0].file])
