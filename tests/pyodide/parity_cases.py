"""Fixed inputs whose outputs must be identical in CPython and in Pyodide.

This file runs in both interpreters: pytest imports it, and ``run_in_pyodide.mjs``
executes its text inside Pyodide. It may only use the standard library and ``calculators``.
"""

import json


def widget_cases():
    from calculators import widgets
    cases = []
    for widget_id, widget in sorted(widgets.WIDGETS.items()):
        cases.append((widget_id, widget.defaults()))
        cases.append((widget_id, dict(widget.example)))
        cases.append((widget_id, {**widget.example, widget.invalid[0]: widget.invalid[1]}))
    cases += [
        ("weight-memory", {"params": "70e9", "format": "int4"}),
        ("weight-memory", {"params": "405e9", "format": "fp8"}),
        ("weight-memory", {"params": "1", "format": "fp32"}),
        ("weight-memory", {"params": "-5", "format": "bf16"}),
        ("weight-memory", {"params": "nan", "format": "bf16"}),
        ("weight-memory", {"params": "8e9", "format": "fp3"}),
    ]
    return cases


def compute_all() -> str:
    """Every case's result, as canonical JSON text."""
    from calculators import widgets
    results = [{"widget": widget_id, "inputs": inputs, "result": widgets.run(widget_id, inputs)}
               for widget_id, inputs in widget_cases()]
    return json.dumps(results, sort_keys=True)
