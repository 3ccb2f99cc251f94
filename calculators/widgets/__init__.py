"""Registry of the widgets the site can embed, and the one entry point the browser calls."""

import functools
import importlib
import json
from collections.abc import Iterator, Mapping

from calculators.core.errors import CalculatorError, InputError
from calculators.widgets.spec import Field, Output, Widget

#: Widget id → the module in this package that defines its ``WIDGET``. Adding a widget = one module and one line
#: here. Modules are imported on first use, so a page in the browser loads only the engines its widgets need.
MODULES = {
    "training-memory": "training_memory",
    "kv-cache": "kv_cache",
    "optimizer-state": "optimizer_state",
    "lora": "lora",
    "quantization": "quantization",
    "flop-rules": "flop_rules",
    "weight-memory": "weight_memory",
    "inference-memory": "inference_memory",
    "local-inference": "local_inference",
    "occupancy": "occupancy",
    "littles-law": "littles_law",
    "interconnect-transfer": "interconnect_transfer",
    "mfu": "mfu",
    "speed": "speed",
    "roofline": "roofline",
    "gpu-picker": "gpu_picker",
    "decode-bound": "decode_bound",
    "batch-size": "batch_size",
    "prefill-decode": "prefill_decode",
    "tensor-parallel": "tensor_parallel",
}


@functools.cache
def _load(widget_id: str) -> Widget:
    return importlib.import_module(f"calculators.widgets.{MODULES[widget_id]}").WIDGET


class _Registry(Mapping):
    """Every widget by id, read-only, loading each module when it is first asked for."""

    def __getitem__(self, widget_id: str) -> Widget:
        if widget_id not in MODULES:
            raise KeyError(widget_id)
        return _load(widget_id)

    def __iter__(self) -> Iterator[str]:
        return iter(MODULES)

    def __len__(self) -> int:
        return len(MODULES)


WIDGETS: Mapping[str, Widget] = _Registry()

__all__ = ["WIDGETS", "Field", "Output", "Widget", "get", "run", "run_json"]


def get(widget_id: str) -> Widget:
    try:
        return WIDGETS[widget_id]
    except KeyError:
        raise InputError("widget", f"unknown widget {widget_id!r}; known: {', '.join(WIDGETS)}") from None


def run(widget_id: str, inputs) -> dict:
    """Compute a widget's outputs. Never raises: errors come back as ``{"ok": False, ...}``."""
    values: dict = {}
    widget = None
    try:
        widget = get(widget_id)
        values = widget.defaults()
        for name, value in dict(inputs).items():
            if name in values:
                values[name] = value if isinstance(value, str) else str(value)
        return {"ok": True, "outputs": dict(widget.compute(values))}
    except InputError as error:
        return {"ok": False, **_error_slot(error, widget, values)}
    except CalculatorError as error:
        return {"ok": False, "field": None, "message": str(error)}
    except RecursionError:
        return {"ok": False, "field": None, "message": "input is nested too deeply"}
    except (ArithmeticError, ValueError, TypeError) as error:
        return {"ok": False, "field": None, "message": f"could not compute this input ({type(error).__name__})"}


def _error_slot(error: InputError, widget: Widget | None, values: dict) -> dict:
    """Point an error at the input it came from: ``config.hidden_size`` belongs to the ``config`` field, and an
    engine argument (``weight_format``) to the field that declares it in ``engine_names``."""
    if error.field in values:
        return {"field": error.field, "message": error.message}
    for field in widget.fields if widget else ():
        if error.field in field.engine_names:
            return {"field": field.name, "message": error.message}
    head = error.field.split(".", 1)[0].split("[", 1)[0]
    if head in values:
        return {"field": head, "message": f"{error.field}: {error.message}"}
    return {"field": None, "message": str(error)}


def warm_up() -> None:
    """Import every widget (and so every module a widget uses), read every data file and compute every widget once
    with its defaults, so that a memory snapshot of the interpreter taken after this (hooks/runtime/pyodide_snapshot.mjs)
    restores with all of them in memory, needs no files, and does not pay first-call costs (compiled patterns,
    lazily built tables) on the reader's first result. What no widget imports (the command line, the build-time
    prose figures, the scenario records) stays out of the snapshot. A widget that fails on its own defaults stops
    the build here."""
    from importlib import resources

    from calculators import data

    for widget_id in MODULES:
        _load(widget_id)
    for data_file in resources.files("calculators.data").iterdir():
        if data_file.name.endswith(".json"):
            data.load(data_file.name)
    for widget_id in MODULES:
        result = run(widget_id, {})
        if not result["ok"]:
            raise RuntimeError(f"widget {widget_id!r} fails on its defaults: {result['message']}")


def run_json(widget_id: str, inputs_json: str) -> str:
    """:func:`run` with JSON text in and out: the simplest bridge to JavaScript."""
    try:
        inputs = json.loads(inputs_json)
    except (ValueError, RecursionError):
        return json.dumps({"ok": False, "field": None, "message": "inputs are not valid JSON"})
    if not isinstance(inputs, dict):
        return json.dumps({"ok": False, "field": None, "message": "inputs must be an object"})
    return json.dumps(run(widget_id, inputs))
