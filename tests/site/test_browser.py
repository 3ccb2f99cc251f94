"""The built site in headless Chromium: entries render, widgets compute with Pyodide, navigation stays instant."""

import pytest

from calculators import widgets

pytestmark = pytest.mark.browser
PYODIDE_TIMEOUT_MS = 90_000


def wait_live(page, widget_selector=".calc-widget"):
    page.wait_for_selector(f'{widget_selector}[data-calc-state="live"]', timeout=PYODIDE_TIMEOUT_MS)


def test_glossary_entry_renders(page, site_url):
    page.goto(site_url + "glossary/kv-cache/")
    assert page.locator("h1").inner_text().startswith("KV cache")
    assert "keys and values of every past token" in page.locator(".gl-summary").inner_text()
    assert page.locator("a[href*='arxiv.org/abs/1706.03762']").count() == 1
    assert page.locator(".katex").count() > 0  # math rendered by the self-hosted KaTeX
    page.wait_for_function("() => window.document$ !== undefined", timeout=10_000)  # the theme starts (late here)
    page.wait_for_timeout(500)
    sources = page.locator(".katex-mathml annotation").all_text_contents()  # the TeX each formula was drawn from
    assert "\\text{bytes per token} = 2 \\times L" in " ".join(sources)
    assert not any("\u200b" in tex or "\xa0" in tex for tex in sources), "a formula was drawn from KaTeX's own output"


def test_widget_prerendered_then_recomputed_in_browser(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    widget = page.locator(".calc-widget").first
    expected_default = widgets.run("weight-memory", {"params": "8.03e9", "format": "bf16"})["outputs"]["gib"]
    assert widget.locator('[data-out="gib"]').inner_text() == expected_default
    wait_live(page)
    widget.locator('input[name="params"]').fill("70e9")
    widget.locator('select[name="format"]').select_option("int4")
    expected = widgets.run("weight-memory", {"params": "70e9", "format": "int4"})["outputs"]
    page.wait_for_function(
        "expected => document.querySelector('.calc-widget [data-out=\"gib\"]').textContent === expected",
        arg=expected["gib"], timeout=10_000)
    assert widget.locator('[data-out="gb"]').inner_text() == expected["gb"]


def test_widget_shows_input_error_next_to_the_field(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    wait_live(page)
    widget = page.locator(".calc-widget").first
    before = widget.locator('[data-out="gib"]').inner_text()
    field = widget.locator('input[name="params"]')
    field.fill("<b>lots</b>")
    error = widget.locator('[data-error-for="params"]')
    error.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('[data-error-for=\"params\"]').textContent.length > 0")
    assert "not a number" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "<b>lots</b>"  # what the user typed is kept
    assert widget.locator("b").count() == 0  # shown as text, never markup
    assert widget.locator('[data-out="gib"]').inner_text() == before


def test_prerendered_value_is_in_the_html(site_url):
    import urllib.request
    html = urllib.request.urlopen(site_url + "calculators/weight-memory/").read().decode()
    expected = widgets.run("weight-memory", {"params": "8.03e9", "format": "bf16"})["outputs"]["gib"]
    assert f'data-out="gib">{expected}<' in html


def test_page_without_widget_fetches_no_pyodide(page, site_url, served_paths):
    page.goto(site_url + "glossary/arithmetic-bandwidth/")
    assert page.locator(".calc-widget").count() == 0
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # give a lazy loader or the offline worker time to misbehave
    assert page.request_log.from_pages("/assets/pyodide/") == []
    # The offline worker keeps the site for offline use a few seconds after a first visit, the calculators' wheel
    # included, but never Pyodide itself.
    assert [path for path in served_paths if "/assets/pyodide/" in path and "/wheels/" not in path] == []


def test_entry_widget_below_the_fold_fetches_nothing_until_it_comes_into_view(page, site_url, served_paths):
    page.goto(site_url + "glossary/hbm/")
    page.wait_for_load_state("networkidle")
    widget = page.locator(".calc-widget").first
    assert widget.bounding_box()["y"] > page.viewport_size["height"]  # below the fold
    # The page asks for nothing; the offline worker may already be keeping the calculators' wheel for later.
    assert page.request_log.from_pages("/assets/pyodide/") == []
    widget.scroll_into_view_if_needed()
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    assert "/assets/pyodide/pyodide.asm.wasm" in served_paths


def test_instant_navigation_loads_pyodide_once(page, site_url, served_paths):
    page.goto(site_url)
    wait_live(page)
    page.evaluate("window.__navMarker = 1")  # survives only if navigation stays in the same document
    page.locator("article a", has_text="Calculators").first.click()
    page.wait_for_url("**/calculators/")
    page.mouse.move(0, 0)  # the pointer left over the previous link would open a tooltip over the next one
    page.locator("article a", has_text="Weight memory").first.click()
    page.wait_for_url("**/calculators/weight-memory/")
    wait_live(page)
    page.go_back()
    page.go_back()
    page.wait_for_url(site_url)
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=10_000)
    assert page.evaluate("window.__navMarker") == 1, "navigation reloaded the page instead of staying instant"
    assert served_paths.count("/assets/pyodide/pyodide.asm.wasm") == 1
    assert page.evaluate("window.gpuGlossary.widgets.inits") >= 3


_INDEX_START = """() => {
    const entry = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/search/search_index.json'));
    return entry ? entry.startTime : null; }"""


def test_calculator_page_loads_the_search_index_after_its_first_result(page, site_url):
    page.goto(site_url + "calculators/inference-memory/")
    wait_live(page)
    page.wait_for_function(f"() => ({_INDEX_START})() !== null", timeout=10_000)
    index_start = page.evaluate(_INDEX_START)
    first_result = page.evaluate("() => window.gpuGlossary.firstResultMs")
    # The index waits for the first result, or at most 3 s when Python is slower than that.
    assert index_start >= min(first_result, 3000) - 1
    page.keyboard.press("/")
    page.locator(".md-search__input").press_sequentially("past key values")
    page.locator(".md-search-result__item").first.wait_for(timeout=20_000)
    assert "KV cache" in page.locator(".md-search-result__item").first.inner_text()


def test_turning_to_search_loads_the_index_at_once(page, site_url):
    page.context.route("**/assets/pyodide/pyodide.asm.wasm", lambda route: None)  # Python never finishes starting
    page.goto(site_url + "calculators/inference-memory/", wait_until="domcontentloaded")
    pressed_at = page.evaluate("() => performance.now()")
    assert pressed_at < 2000, "the page took too long to load for this test to tell the search key from the 3 s fallback"
    page.keyboard.press("/")
    page.wait_for_function(f"() => ({_INDEX_START})() !== null", timeout=10_000)
    assert pressed_at - 1 <= page.evaluate(_INDEX_START) < min(pressed_at + 800, 3000)
    assert page.evaluate("() => window.gpuGlossary.firstResultMs") is None


_BUNDLE_START = """() => {
    const entry = performance.getEntriesByType('resource').find(
      (r) => /\\/assets\\/javascripts\\/bundle\\.[0-9a-f]+\\.min\\.js$/.test(r.name));
    return entry ? entry.startTime : null; }"""


def test_calculator_page_starts_the_theme_after_its_first_result_and_the_theme_works(page, site_url):
    page.goto(site_url + "calculators/inference-memory/")
    wait_live(page)
    page.wait_for_function("() => window.document$ !== undefined", timeout=10_000)
    first_result = page.evaluate("() => window.gpuGlossary.firstResultMs")
    assert page.evaluate(_BUNDLE_START) >= min(first_result, 3000) - 1
    # Started late, the theme still navigates instantly, and the site's scripts run on the pages it opens.
    page.evaluate("window.__navMarker = 1")
    page.locator("article a[href*='methodology/memory/']").first.click()
    page.wait_for_url("**/methodology/memory/**")
    page.wait_for_selector('.arithmatex[data-katex="done"]', timeout=10_000)
    assert page.evaluate("window.__navMarker") == 1, "navigation reloaded the page instead of staying instant"


def test_the_readers_first_key_starts_the_theme_while_python_is_loading(page, site_url):
    page.context.route("**/assets/pyodide/pyodide.asm.wasm", lambda route: None)  # Python never finishes starting
    page.goto(site_url + "calculators/inference-memory/", wait_until="domcontentloaded")
    pressed_at = page.evaluate("() => performance.now()")
    assert pressed_at < 2000, "the page took too long to load for this test to tell the key from the 3 s fallback"
    assert page.evaluate(_BUNDLE_START) is None
    page.keyboard.press("Tab")
    page.wait_for_function("() => window.document$ !== undefined", timeout=10_000)
    assert pressed_at - 1 <= page.evaluate(_BUNDLE_START) < min(pressed_at + 800, 3000)


def test_entry_with_its_calculator_below_the_fold_starts_the_theme_at_once(page, site_url):
    page.goto(site_url + "glossary/hbm/")
    page.wait_for_function("() => window.document$ !== undefined", timeout=10_000)
    assert page.evaluate(_BUNDLE_START) < 2500  # not the 3 s fallback: no Python to wait for
    assert page.request_log.matching("/assets/pyodide/") == []


def test_page_without_a_calculator_loads_the_search_index_at_once(page, site_url):
    page.goto(site_url + "glossary/arithmetic-bandwidth/")
    page.wait_for_function(f"() => ({_INDEX_START})() !== null", timeout=10_000)
    assert page.evaluate("() => window.gpuGlossary.themeGate") is None
    assert page.evaluate(_INDEX_START) < 2000


@pytest.mark.parametrize("path, generated", [("methodology/memory/", "memory-validation.svg"),
                                             ("methodology/speed/", "speed-validation-charts.html")])
def test_validation_plots_are_inline_and_follow_the_dark_palette(page, site_url, path, generated):
    """An <img> SVG cannot see the page's colours (its text stays black on the dark palette); inline, it does."""
    import pathlib
    source = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "methodology" / "_generated" / generated).read_text()
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(site_url + path)
    chart = page.locator(".validation-chart svg")
    assert chart.count() == source.count("<svg") > 0
    assert chart.locator("circle").count() == source.count("<circle") > 0  # the markup arrived whole
    colours = page.evaluate("""() => ({
        chart: getComputedStyle(document.querySelector('.validation-chart svg text')).fill,
        page: getComputedStyle(document.querySelector('article')).color })""")
    assert colours["chart"] == colours["page"] and colours["page"] not in ("rgb(0, 0, 0)", "rgba(0, 0, 0, 0.87)")
    assert all(chart.nth(i).bounding_box()["width"] <= 390 for i in range(chart.count()))
