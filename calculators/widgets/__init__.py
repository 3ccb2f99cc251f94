"""Registry of the widgets the site can embed, and the one entry point the browser calls."""

import json

from calculators.errors import CalculatorError, InputError
from calculators.widgets import inference_memory, weight_memory
from calculators.widgets import interconnect_transfer, littles_law, mfu, occupancy
from calculators.widgets import batch_size, decode_bound, gpu_picker, prefill_decode, roofline, speed, tensor_parallel
from calculators.widgets import flop_rules, kv_cache, lora, optimizer_state, quantization, training_memory
from calculators.widgets.spec import Field, Output, Widget

#: Every widget by id. Adding a widget = one module with a ``WIDGET`` and one line here.
WIDGETS: dict[str, Widget] = {module.WIDGET.id: module.WIDGET for module in (
    training_memory,
    kv_cache,
    optimizer_state,
    lora,
    quantization,
    flop_rules,
    weight_memory,
    inference_memory,
    occupancy,
    littles_law,
    interconnect_transfer,
    mfu,
    speed,
    roofline,
    gpu_picker,
    decode_bound,
    batch_size,
    prefill_decode,
    tensor_parallel,
)}

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


def run_json(widget_id: str, inputs_json: str) -> str:
    """:func:`run` with JSON text in and out: the simplest bridge to JavaScript."""
    try:
        inputs = json.loads(inputs_json)
    except (ValueError, RecursionError):
        return json.dumps({"ok": False, "field": None, "message": "inputs are not valid JSON"})
    if not isinstance(inputs, dict):
        return json.dumps({"ok": False, "field": None, "message": "inputs must be an object"})
    return json.dumps(run(widget_id, inputs))
