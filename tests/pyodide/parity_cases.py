"""Inputs whose outputs must be identical in CPython and in Pyodide: fixed cases plus generated ones.

This file runs in both interpreters: pytest imports it, and ``run_in_pyodide.mjs``
executes its text inside Pyodide. It may only use the standard library and ``calculators``.
The generated cases are drawn once, in CPython, and handed to both interpreters as JSON.
"""

import json
import random

#: Multipliers applied to a numeric default: typical values, edges, and values the calculators must refuse.
NUMERIC_FACTORS = (0.5, 1, 2, 3, 8, 64, 0, -1, 0.1)


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


def generated_cases(count: int = 120, seed: int = 2026) -> list:
    """Random combinations of every widget's inputs: options drawn from each select, numbers scaled."""
    from calculators import widgets
    rng = random.Random(seed)
    ids = sorted(widgets.WIDGETS)
    cases = []
    for _ in range(count):
        widget = widgets.WIDGETS[rng.choice(ids)]
        inputs = {}
        for field in widget.fields:
            if field.kind == "select":
                inputs[field.name] = rng.choice(field.options)[0]
            elif field.kind == "number" and field.default.strip():
                try:
                    value = float(field.default) * rng.choice(NUMERIC_FACTORS)
                except ValueError:
                    continue
                inputs[field.name] = f"{value:g}"
        if inputs.get("model") == "custom":
            inputs["model"] = widget.defaults().get("model", "llama-3.1-8b")
            if inputs["model"] == "custom":
                inputs.pop("model")
        cases.append((widget.id, inputs))
    return cases


def compute_all(cases_json: str = "[]") -> str:
    """Every case's result (fixed cases, then the given ones), as canonical JSON text."""
    from calculators import widgets
    cases = widget_cases() + [tuple(case) for case in json.loads(cases_json)]
    results = [{"widget": widget_id, "inputs": inputs, "result": widgets.run(widget_id, inputs)}
               for widget_id, inputs in cases]
    return json.dumps(results, sort_keys=True)
