"""Checks shared by the browser tests."""

from calculators import widgets


def recomputes_weight_memory(page):
    """The weight-memory calculator on ``page`` recomputes a changed input in the browser, as CPython would."""
    page.locator(".calc-widget").first.locator('input[name="params"]').fill("70e9")
    expected = widgets.run("weight-memory", {"params": "70e9", "format": "bf16"})["outputs"]["gib"]
    page.wait_for_function(
        "e => document.querySelector('.calc-widget [data-out=\"gib\"]').textContent === e", arg=expected)
