"""Every widget in the browser: computes with Pyodide, recomputes on input, restores from a shared URL, shows
errors next to the field, and agrees with CPython."""

import pathlib
import re

import pytest

from calculators import widgets

pytestmark = pytest.mark.browser
WIDGETS = sorted(widgets.WIDGETS.values(), key=lambda w: w.id)
LIVE_MS = 90_000


def pages_by_widget(site: pathlib.Path) -> dict[str, str]:
    """For each widget, the page that shows it (a calculator page when there is one)."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        for widget_id in set(re.findall(r'class="calc-widget" id="calc-\d+" data-widget="([a-z0-9-]+)"', path.read_text())):
            if widget_id not in found or (rel.startswith("calculators/") and not found[widget_id].startswith("calculators/")):
                found[widget_id] = rel
    return found


def text_outputs(widget, outputs):
    kinds = {o.name: o.kind for o in widget.outputs}
    return {name: value for name, value in outputs.items() if kinds[name] in ("text", "note")}


def read_outputs(page, selector, widget):
    return {o.name: page.locator(f'{selector} [data-out="{o.name}"]').inner_text().strip()
            for o in widget.outputs if o.kind in ("text", "note")}


def set_inputs(page, selector, values):
    for name, value in values.items():
        field = page.locator(f'{selector} [name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_every_widget_is_on_a_page(built_site):
    assert set(pages_by_widget(built_site)) == set(widgets.WIDGETS)


@pytest.mark.parametrize("widget", WIDGETS, ids=[w.id for w in WIDGETS])
def test_widget_computes_restores_and_reports_errors(page, site_url, built_site, widget):
    path = pages_by_widget(built_site)[widget.id]
    selector = f'.calc-widget[data-widget="{widget.id}"]'
    page.goto(f"{site_url}{path}/")
    first = page.locator(selector).first
    # the inputs as the page's fence set them, and the result the build prerendered for them
    initial = {f.name: first.locator(f'[name="{f.name}"]').input_value() for f in widget.fields}
    prerendered = read_outputs(page, selector, widget)
    assert prerendered == text_outputs(widget, widgets.run(widget.id, initial)["outputs"])
    first.scroll_into_view_if_needed()  # widgets start Python when they come into view, as a reader scrolls
    page.wait_for_selector(f'{selector}[data-calc-state="live"]', timeout=LIVE_MS)
    assert read_outputs(page, selector, widget) == prerendered  # Pyodide agrees with the build
    expected = text_outputs(widget, widgets.run(widget.id, widget.example)["outputs"])
    set_inputs(page, selector, widget.example)
    page.wait_for_function("([sel, name, value]) => document.querySelector(`${sel} [data-out=\"${name}\"]`)"
                           ".textContent.trim() === value", arg=[selector, *next(iter(expected.items()))])
    assert read_outputs(page, selector, widget) == expected
    for output in widget.outputs:
        if output.kind == "svg":
            assert first.locator(f'[data-out="{output.name}"] svg > title').count() == 1
    key = first.get_attribute("data-url-key")
    shared = page.url
    for name in widget.example:
        assert f"{key}.{name}=" in shared
    # a shared link restores the same calculation in a fresh page
    other = page.context.new_page()
    other.goto(shared)  # a widget restored from a link starts at once, wherever it is on the page
    other.wait_for_selector(f'{selector}[data-calc-state="live"]', timeout=LIVE_MS)
    other.wait_for_function("([sel, name, value]) => document.querySelector(`${sel} [data-out=\"${name}\"]`)"
                            ".textContent.trim() === value", arg=[selector, *next(iter(expected.items()))])
    assert read_outputs(other, selector, widget) == expected
    other.close()
    # bad input: the message sits next to its field, the other inputs are kept, nothing else changes
    field, value = widget.invalid
    message = widgets.run(widget.id, {**widget.example, field: value})["message"]
    set_inputs(page, selector, {field: value})
    error = first.locator(f'[data-error-for="{field}"]')
    page.wait_for_function("([sel, f]) => document.querySelector(`${sel} [data-error-for=\"${f}\"]`).textContent.length > 0",
                           arg=[selector, field])
    assert error.inner_text() == message
    assert first.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
    for name, value in widget.example.items():
        if name != field:
            assert first.locator(f'[name="{name}"]').input_value() == value
    assert read_outputs(page, selector, widget) == expected


def test_copy_link_copies_the_shareable_address(browser, site_url):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(site_url + "calculators/weight-memory/")
        page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=LIVE_MS)
        page.locator('.calc-widget input[name="params"]').fill("70e9")
        page.locator(".calc-widget [data-calc-copy]").click()
        page.locator(".calc-widget [data-calc-copied]", has_text="Link copied").wait_for()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == page.url and "weight-memory.params=70e9" in copied and "v=1" in copied
    finally:
        context.close()


def test_links_published_with_version_1_keep_working(page, site_url):
    """An address in the format published in version 1 must restore the same inputs forever."""
    page.goto(site_url + "calculators/inference-memory/?inference-memory.model=llama-3.1-70b"
              "&inference-memory.weights=q4_k_m&inference-memory.batch=2&inference-memory.gpu=h100-sxm&v=1")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=LIVE_MS)
    expected = widgets.run("inference-memory", {"model": "llama-3.1-70b", "weights": "q4_k_m", "batch": "2",
                                                 "gpu": "h100-sxm"})["outputs"]
    widget = '.calc-widget[data-widget="inference-memory"]'
    page.wait_for_function("([w, v]) => document.querySelector(w + ' [data-out=\"total\"]').textContent.trim() === v",
                           arg=[widget, expected["total"]])
    assert page.locator(widget + ' select[name="model"]').input_value() == "llama-3.1-70b"
