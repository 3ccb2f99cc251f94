"""The ```calculator fence: options, prerendering, the widget template and author errors."""

import os
import subprocess
import sys
import textwrap

import markdown
import pytest
from pymdownx.superfences import SuperFencesException

from calculators import widgets
from calculators.widgets.spec import Field, Output, Widget
from hooks.markdown import calculator_fence
from hooks.markdown.calculator_fence import Fence, PageWidgets
from tests.conftest import ROOT

RUNTIME = {"lock_file": "pyodide-lock.json", "snapshot": "snapshots/ab.gz", "wheel": "wheels/x/c.whl",
           "wheel_sha256": "ff", "source_sha256": "not written into widgets"}


def convert(text: str, fence: Fence) -> str:
    """The HTML of ``text``, converted as MkDocs converts a page: a fresh Markdown instance with superfences."""
    md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={"pymdownx.superfences": {
        "custom_fences": [{"name": "calculator", "class": "calculator", "format": fence.format}]}})
    return md.convert(text)


def test_renders_form_and_prerendered_result():
    html = Fence(RUNTIME).render({"widget": "weight-memory", "params": "70e9", "format": "int4"}, PageWidgets())
    expected = widgets.run("weight-memory", {"params": "70e9", "format": "int4"})["outputs"]
    assert f'data-out="gib">{expected["gib"]}<' in html
    assert '<option value="int4" selected>' in html
    assert '<label for="calc-1-params">' in html and 'id="calc-1-params"' in html
    assert 'aria-live="polite"' in html
    assert 'data-runtime="{&quot;lock_file&quot;: &quot;pyodide-lock.json&quot;' in html
    assert "source_sha256" not in html


def test_ids_are_unique_per_page_and_url_keys_number_repeats():
    page = PageWidgets()
    first = Fence(RUNTIME).render({"widget": "weight-memory"}, page)
    other = Fence(RUNTIME).render({"widget": "kv-cache"}, page)
    second = Fence(RUNTIME).render({"widget": "weight-memory"}, page)
    assert 'id="calc-1"' in first and 'data-url-key="weight-memory"' in first
    assert 'id="calc-2"' in other and 'data-url-key="kv-cache"' in other
    assert 'id="calc-3"' in second and 'data-url-key="weight-memory-2"' in second


def test_numbering_lives_on_each_pages_markdown_instance():
    fence = Fence(RUNTIME)
    source = "```calculator\nwidget: weight-memory\n```\n\n```calculator\nwidget: weight-memory\n```\n"
    first_page, second_page = convert(source, fence), convert(source, fence)
    assert first_page == second_page  # nothing carries over from one page to the next
    assert first_page.count('<div class="calc-widget" ') == 2
    assert 'id="calc-2"' in first_page and 'data-url-key="weight-memory-2"' in first_page


@pytest.mark.parametrize("source, message", [
    ("params: 1e9", "the first option must be 'widget: <id>'"),
    ("widget: nothing", "unknown widget 'nothing'"),
    ("widget: weight-memory\ncolour: red", "widget 'weight-memory' has no input 'colour'"),
    ("widget: weight-memory\nparams: lots", "widget 'weight-memory': params: 'lots' is not a number"),
    ("widget: weight-memory\njust text", "expected 'name: value'"),
    ("widget: weight-memory\nparams: 1\nparams: 2", "given twice"),
])
def test_author_errors_get_through_superfences(source, message):
    """superfences swallows a formatter's errors except SuperFencesException, which it re-raises."""
    with pytest.raises(SuperFencesException, match="calculator fence: .*" + message.replace("(", r"\(")):
        convert(f"```calculator\n{source}\n```\n", Fence(RUNTIME))


def test_bad_fence_fails_the_strict_build_naming_page_and_problem(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Fine\n")
    (tmp_path / "docs" / "bad.md").write_text("# Bad\n\n```calculator\nwidget: weight-memory\ncolour: red\n```\n")
    (tmp_path / "fence_only.py").write_text(textwrap.dedent("""\
        from hooks.markdown.calculator_fence import Fence

        def on_config(config):
            Fence({}).register(config)
            return config
    """))
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nhooks: [fence_only.py]\nmarkdown_extensions: [pymdownx.superfences]\n")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), NO_MKDOCS_2_WARNING="1"))
    assert result.returncode != 0
    assert ("Error reading page 'bad.md': calculator fence: widget 'weight-memory' has no input 'colour'"
            in result.stderr)


def test_register_replaces_a_fence_from_an_earlier_build():
    class Config:
        mdx_configs = {"pymdownx.superfences": {"custom_fences": [{"name": "mermaid"}]}}

    old, new = Fence({}), Fence(RUNTIME)
    old.register(Config)
    new.register(Config)
    fences = Config.mdx_configs["pymdownx.superfences"]["custom_fences"]
    assert fences == [{"name": "mermaid"}, {"name": "calculator", "class": "calculator", "format": new.format}]


SAMPLE = Widget(
    id="sample", title="Sample & <test>", summary='It\'s "quoted".',
    fields=(
        Field("size", "Size (GB)", "number", "70e9", help="Parameters, e.g. 70e9", aliases=("params",)),
        Field("format", "Format", "select", "int4", options=(("bf16", "BF16"), ("int4", "INT4 <q>"))),
        Field("config", "config.json", "textarea", '{"a": "<b>"}'),
        Field("label", "Label", "text", "it's"),
    ),
    outputs=(Output("gib", "Memory"), Output("note", "Why", "note"), Output("chart", "Chart", "svg")),
    compute=lambda values: {},
)
SAMPLE_OUTPUTS = {"gib": "32.6 GiB", "note": "A & B < C", "chart": '<svg role="img"><text>a &amp; b</text></svg>'}
#: What the f-string renderer this template replaced wrote for SAMPLE (captured from it before the change).
SAMPLE_HTML = (
    '<div class="calc-widget" id="calc-3" data-widget="sample" data-url-key="sample-2" '
    'data-aliases="{&quot;size&quot;: [&quot;params&quot;]}" data-runtime="{&quot;lock_file&quot;: '
    '&quot;pyodide-lock.json&quot;, &quot;snapshot&quot;: &quot;snapshots/ab.gz&quot;, &quot;wheel&quot;: '
    '&quot;wheels/x/c.whl&quot;, &quot;wheel_sha256&quot;: &quot;ff&quot;}">'
    '<p class="calc-title">Sample &amp; &lt;test&gt;</p><p class="calc-summary">It&#x27;s &quot;quoted&quot;.</p>'
    '<form class="calc-form" novalidate>'
    '<div class="calc-field"><label for="calc-3-size">Size (GB)</label><input id="calc-3-size" name="size" '
    'type="text" inputmode="decimal" value="70e9" autocomplete="off" spellcheck="false" '
    'aria-describedby="calc-3-size-error calc-3-size-help"><small class="calc-help" id="calc-3-size-help">'
    'Parameters, e.g. 70e9</small><span class="calc-error" id="calc-3-size-error" data-error-for="size"></span></div>'
    '<div class="calc-field"><label for="calc-3-format">Format</label><select id="calc-3-format" name="format" '
    'aria-describedby="calc-3-format-error"><option value="bf16">BF16</option><option value="int4" selected>'
    'INT4 &lt;q&gt;</option></select><span class="calc-error" id="calc-3-format-error" data-error-for="format">'
    '</span></div>'
    '<div class="calc-field calc-field-wide"><label for="calc-3-config">config.json</label><textarea '
    'id="calc-3-config" name="config" rows="4" spellcheck="false" autocomplete="off" '
    'aria-describedby="calc-3-config-error">{&quot;a&quot;: &quot;&lt;b&gt;&quot;}</textarea><span '
    'class="calc-error" id="calc-3-config-error" data-error-for="config"></span></div>'
    '<div class="calc-field"><label for="calc-3-label">Label</label><input id="calc-3-label" name="label" '
    'type="text" value="it&#x27;s" autocomplete="off" spellcheck="false" aria-describedby="calc-3-label-error">'
    '<span class="calc-error" id="calc-3-label-error" data-error-for="label"></span></div></form>'
    '<div class="calc-results" aria-live="polite" aria-label="Sample &amp; &lt;test&gt; results"><dl>'
    '<div class="calc-output"><dt>Memory</dt><dd data-out="gib">32.6 GiB</dd></div>'
    '<div class="calc-output calc-output-wide calc-output-note"><dt>Why</dt><dd data-out="note">A &amp; B &lt; C'
    '</dd></div><div class="calc-output calc-output-wide"><dt>Chart</dt><dd data-out="chart" '
    'data-out-kind="markup"><svg role="img"><text>a &amp; b</text></svg></dd></div></dl></div>'
    '<p class="calc-error calc-error-general" data-error-for=""></p><div class="calc-footer"><p class="calc-status" '
    'data-calc-status>Computed when this page was built. Change an input to recompute in your browser.</p>'
    '<button type="button" class="md-button calc-copy" data-calc-copy hidden>Copy link</button>'
    '<span class="calc-copied" data-calc-copied aria-live="polite"></span></div></div>'
)


def test_template_renders_the_html_the_f_strings_did():
    values = {"size": "70e9", "format": "int4", "config": '{"a": "<b>"}', "label": "it's"}
    html = calculator_fence.widget_html(SAMPLE, values, SAMPLE_OUTPUTS, prefix="calc-3", url_key="sample-2",
                                        runtime_json=Fence(RUNTIME).runtime_json)
    assert html == SAMPLE_HTML


def test_markup_in_options_is_escaped():
    """Text an author or a link puts into an input is shown as text; only the calculators' own markup is not."""
    values = {"size": "<script>x</script>", "format": "bf16", "config": "</textarea><img src=x>", "label": '"><b>'}
    html = calculator_fence.widget_html(SAMPLE, values, SAMPLE_OUTPUTS, prefix="calc-1", url_key="sample",
                                        runtime_json="{}")
    assert "<script>" not in html and 'value="&lt;script&gt;x&lt;/script&gt;"' in html
    assert "&lt;/textarea&gt;&lt;img src=x&gt;</textarea>" in html
    assert 'value="&quot;&gt;&lt;b&gt;"' in html
    assert '<svg role="img"><text>a &amp; b</text></svg>' in html
