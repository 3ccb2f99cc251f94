"""Every widget: defaults and its example compute, its invalid input is rejected on the right field, and the
outputs match the declared slots; the speed widgets recompute fast. The browser and Pyodide tests reuse
``example`` and ``invalid``."""

import json
import time

import pytest

from calculators import widgets

WIDGETS = sorted(widgets.WIDGETS.values(), key=lambda w: w.id)
SPEED_WIDGETS = ("speed", "roofline", "gpu-picker", "decode-bound", "batch-size", "prefill-decode", "tensor-parallel")


@pytest.mark.parametrize("widget", WIDGETS, ids=[w.id for w in WIDGETS])
def test_defaults_and_example_compute_every_output(widget):
    assert widget.example, "declare an example input"
    assert set(widget.example) <= {f.name for f in widget.fields}
    names = {o.name for o in widget.outputs}
    default = widgets.run(widget.id, widget.defaults())
    example = widgets.run(widget.id, widget.example)
    assert default["ok"] and example["ok"], (default, example)
    assert set(default["outputs"]) == names == set(example["outputs"])
    assert default["outputs"] != example["outputs"], "the example should change the result"


@pytest.mark.parametrize("widget", WIDGETS, ids=[w.id for w in WIDGETS])
def test_invalid_input_names_its_field(widget):
    field, value = widget.invalid
    assert field in {f.name for f in widget.fields}
    result = widgets.run(widget.id, {field: value})
    assert result["ok"] is False and result["field"] == field and result["message"]


@pytest.mark.parametrize("widget", WIDGETS, ids=[w.id for w in WIDGETS])
def test_select_defaults_are_among_their_options(widget):
    for field in widget.fields:
        if field.kind == "select":
            assert field.default in {value for value, _ in field.options}, field.name


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", "nan", "inf", "-1", "1e400", "9" * 70, "", " ", "[]", "{}", "\u0000", "x" * 5000,
])
def test_hostile_text_in_every_field_gives_a_clean_answer(payload):
    for widget in WIDGETS:
        for field in widget.fields:
            result = widgets.run(widget.id, {field.name: payload})
            assert result["ok"] in (True, False)
            if not result["ok"]:
                assert isinstance(result["message"], str) and "Traceback" not in result["message"]
            json.dumps(result)


def test_config_errors_point_at_the_config_field():
    result = widgets.run("inference-memory", {"model": "custom", "config": '{"model_type": "llama", "hidden_size": "<b>"}'})
    assert result == {"ok": False, "field": "config", "message": "config.hidden_size: '<b>' is not a number"}
    nested = "[" * 5000 + "]" * 5000
    result = widgets.run("inference-memory", {"model": "custom", "config": nested})
    assert result["ok"] is False and result["field"] == "config"


def test_run_json_rejects_bad_json():
    assert json.loads(widgets.run_json("weight-memory", "{"))["ok"] is False
    assert json.loads(widgets.run_json("weight-memory", "[]"))["ok"] is False
    assert "unknown widget" in json.loads(widgets.run_json("nope", "{}"))["message"]


def test_registry_ids_match_their_modules():
    for widget_id, widget in widgets.WIDGETS.items():
        assert widget.id == widget_id
    assert len(widgets.WIDGETS) == len(widgets.MODULES)
    assert "nope" not in widgets.WIDGETS


def test_warm_up_leaves_every_widget_imported_and_computed_once():
    """What the build's memory snapshot holds (hooks/runtime/pyodide_snapshot.mjs): checked in a fresh interpreter."""
    import subprocess
    import sys
    code = """
import json, sys
import calculators.widgets as w
computed = []
real = w.run
w.run = lambda widget_id, inputs: computed.append(widget_id) or real(widget_id, inputs)
w.warm_up()
print(json.dumps({"computed": computed, "modules": [m for m in sys.modules if m.startswith("calculators.")]}))
"""
    report = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert sorted(report["computed"]) == sorted(widgets.MODULES)
    assert {f"calculators.widgets.{module}" for module in widgets.MODULES.values()} <= set(report["modules"])
    # the command line, the build-time prose and the scenario records are not the browser's business
    assert not [m for m in report["modules"] if m.split(".")[1] in ("cli", "figures", "scenarios")]


def test_warm_up_stops_on_a_widget_that_fails_on_its_defaults(monkeypatch):
    real = widgets.run
    monkeypatch.setattr(widgets, "run", lambda widget_id, inputs: (
        {"ok": False, "field": None, "message": "boom"} if widget_id == "roofline" else real(widget_id, inputs)))
    with pytest.raises(RuntimeError, match="'roofline' fails on its defaults: boom"):
        widgets.warm_up()


@pytest.mark.parametrize("widget_id", SPEED_WIDGETS)
def test_recompute_is_fast(widget_id):
    widget = widgets.get(widget_id)
    for inputs in (widget.defaults(), {**widget.defaults(), **widget.example}):
        widgets.run(widget_id, inputs)  # warm imports and caches
        best = min(_timed(widget_id, inputs) for _ in range(3))
        assert best < 0.05, f"{widget_id} took {best * 1000:.0f} ms"


def _timed(widget_id, inputs):
    start = time.perf_counter()
    widgets.run(widget_id, inputs)
    return time.perf_counter() - start


def test_notes_read_as_sentences():
    """Caveats from the engines end without a full stop; the notes join them into sentences, not one run-on line."""
    from calculators.widgets.fields import notes_text
    assert notes_text(["vLLM would fail to start", "The pool holds 0.0 GiB."]) == \
        "vLLM would fail to start. The pool holds 0.0 GiB."
    assert notes_text([]) == notes_text(["  "]) == "—"
    result = widgets.run("inference-memory", {"model": "llama-3.1-70b", "runtime": "vllm", "gpu": "rtx-4090"})
    assert result["ok"] and "start 4 sequences" not in result["outputs"]["notes"]
    assert "vLLM would fail to start. " in result["outputs"]["notes"]
