"""Links published before the package redesign still open the same calculation.

``data/saved_links.json`` holds calculator addresses as the site wrote them at commit ec0d04c: every widget's
example and every option of its select inputs, with how the widget answered then (a result, or an error on a named
input). Each parameter must still name an input (or one of its aliases), each option must still be offered, and
the widget must answer the same way (the browser reads the same parameters: tests/site/test_widgets_browser.py)."""

import json
import pathlib
import urllib.parse

import pytest

from calculators import widgets

SAVED = json.loads((pathlib.Path(__file__).parent / "data" / "saved_links.json").read_text())


def inputs_from(link: str) -> tuple[str, dict[str, str]]:
    """(widget id, inputs by current field name), as widgets.js reads ``?<widget>.<input>=<value>&v=1``."""
    query = urllib.parse.parse_qs(link.lstrip("?"), keep_blank_values=True)
    assert query.pop("v") == ["1"]
    (widget_id,) = {key.split(".", 1)[0] for key in query}
    widget = widgets.get(widget_id)
    names = {alias: field.name for field in widget.fields for alias in (field.name, *field.aliases)}
    out = {}
    for key, (value,) in query.items():
        name = key.split(".", 1)[1]
        assert name in names, f"{widget_id}: the published input {name!r} is no longer accepted"
        out[names[name]] = value
    return widget_id, out


@pytest.mark.parametrize("saved", SAVED["links"], ids=lambda saved: saved["link"])
def test_a_saved_link_opens_the_same_calculation(saved):
    widget_id, inputs = inputs_from(saved["link"])
    widget = widgets.get(widget_id)
    for name, value in inputs.items():
        field = widget.field(name)
        if field.kind == "select":
            assert value in {v for v, _ in field.options}, f"{widget_id}.{name}={value} is no longer offered"
    result = widgets.run(widget_id, inputs)
    assert result["ok"] == saved["ok"], result
    assert result["ok"] or result["field"] == saved["error_field"], result
