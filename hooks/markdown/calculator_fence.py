"""The ```` ```calculator ```` fence: a widget written in Markdown, prerendered by the calculators.

    ```calculator
    widget: weight-memory
    params: 70e9
    format: int4
    ```

The first line names a widget from ``calculators.widgets``; the other lines set
its inputs. At build time the fence runs the same Python the browser will run,
so the page shows real numbers before (and without) JavaScript. An unknown
widget, an unknown option or an input the calculator rejects fails the build
with the page named.
"""

import html
import json

from calculators import widgets

FENCE_NAME = "calculator"
_page = {"src": None, "count": 0, "errors": [], "per_widget": {}}
#: What the browser needs to start Python (from hooks.wheel's runtime.json), written into every widget so the
#: snapshot download can start before anything else is fetched.
_RUNTIME_KEYS = ("lock_file", "snapshot", "wheel", "wheel_sha256")
_runtime = {"json": None}


def register(config, runtime: dict) -> None:
    """Add the fence to pymdownx.superfences' custom fences; widgets will name this build's Python runtime."""
    use_runtime(runtime)
    options = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = options.setdefault("custom_fences", [])
    if not any(fence.get("name") == FENCE_NAME for fence in fences):
        fences.append({"name": FENCE_NAME, "class": FENCE_NAME, "format": format_fence})


def use_runtime(runtime: dict) -> None:
    """Name this Python runtime (hooks.wheel's runtime.json) in the widgets rendered from now on."""
    _runtime["json"] = json.dumps({key: runtime.get(key) for key in _RUNTIME_KEYS}, sort_keys=True)


def begin_page(src_uri: str) -> None:
    _page.update(src=src_uri, count=0, errors=[], per_widget={})


def page_errors() -> list[str]:
    return list(_page["errors"])


def page_widget_count() -> int:
    """How many widgets the page being built has rendered so far (all of them once its Markdown is converted)."""
    return _page["count"]


def parse_options(source: str) -> dict[str, str]:
    """``key: value`` lines; blank lines and ``#`` comments are ignored."""
    options = {}
    for number, line in enumerate(source.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"line {number}: expected 'name: value', got {line!r}")
        key = key.strip()
        if key in options:
            raise ValueError(f"line {number}: option {key!r} is given twice")
        options[key] = value.strip()
    return options


def format_fence(source, language, class_name, options, md, **kwargs) -> str:
    try:
        return render(parse_options(source))
    except ValueError as error:
        _page["errors"].append(f"calculator fence: {error}")
        return f'<p class="calc-build-error">{html.escape(str(error))}</p>'


def render(options: dict[str, str]) -> str:
    """HTML for one widget, with its result computed now."""
    widget_id = options.pop("widget", None)
    if not widget_id:
        raise ValueError("the first option must be 'widget: <id>' "
                         f"(known widgets: {', '.join(widgets.WIDGETS)})")
    if widget_id not in widgets.WIDGETS:
        raise ValueError(f"unknown widget {widget_id!r} (known widgets: {', '.join(widgets.WIDGETS)})")
    widget = widgets.WIDGETS[widget_id]
    values = widget.defaults()
    for key, value in options.items():
        if key not in values:
            raise ValueError(f"widget {widget_id!r} has no input {key!r} (inputs: {', '.join(values)})")
        values[key] = value
    result = widgets.run(widget_id, values)
    if not result["ok"]:
        raise ValueError(f"widget {widget_id!r}: {result.get('field') or 'input'}: {result['message']}")
    _page["count"] += 1
    prefix = f"calc-{_page['count']}"
    # The URL key names the widget, numbered only when a page repeats it, so shared links survive new widgets.
    seen = _page["per_widget"][widget.id] = _page["per_widget"].get(widget.id, 0) + 1
    url_key = widget.id if seen == 1 else f"{widget.id}-{seen}"
    return _widget_html(widget, values, result["outputs"], prefix, url_key)


def _widget_html(widget, values, outputs, prefix, url_key) -> str:
    esc = html.escape
    aliases = {field.name: list(field.aliases) for field in widget.fields if field.aliases}
    parts = [f'<div class="calc-widget" id="{prefix}" data-widget="{esc(widget.id)}" data-url-key="{esc(url_key)}" '
             f'data-aliases="{esc(json.dumps(aliases, sort_keys=True))}"'
             + (f' data-runtime="{esc(_runtime["json"])}"' if _runtime["json"] else "") + ">",
             f'<p class="calc-title">{esc(widget.title)}</p>']
    if widget.summary:
        parts.append(f'<p class="calc-summary">{esc(widget.summary)}</p>')
    parts.append('<form class="calc-form" novalidate>')
    for field in widget.fields:
        field_id = f"{prefix}-{field.name}"
        described = f"{field_id}-error" + (f" {field_id}-help" if field.help else "")
        wide = " calc-field-wide" if field.kind == "textarea" else ""
        parts.append(f'<div class="calc-field{wide}"><label for="{field_id}">{esc(field.label)}</label>')
        if field.kind == "select":
            choices = "".join(
                f'<option value="{esc(value)}"{" selected" if value == values[field.name] else ""}>{esc(label)}</option>'
                for value, label in field.options)
            parts.append(f'<select id="{field_id}" name="{esc(field.name)}" aria-describedby="{described}">'
                         f"{choices}</select>")
        elif field.kind == "textarea":
            parts.append(f'<textarea id="{field_id}" name="{esc(field.name)}" rows="4" spellcheck="false" '
                         f'autocomplete="off" aria-describedby="{described}">{esc(values[field.name])}</textarea>')
        else:
            mode = ' inputmode="decimal"' if field.kind == "number" else ""
            parts.append(f'<input id="{field_id}" name="{esc(field.name)}" type="text"{mode} '
                         f'value="{esc(values[field.name])}" autocomplete="off" spellcheck="false" '
                         f'aria-describedby="{described}">')
        if field.help:
            parts.append(f'<small class="calc-help" id="{field_id}-help">{esc(field.help)}</small>')
        parts.append(f'<span class="calc-error" id="{field_id}-error" data-error-for="{esc(field.name)}"></span></div>')
    parts.append("</form>")
    parts.append(f'<div class="calc-results" aria-live="polite" aria-label="{esc(widget.title)} results"><dl>')
    for output in widget.outputs:
        value = outputs.get(output.name, "")
        if output.kind == "note":
            parts.append(f'<div class="calc-output calc-output-wide calc-output-note"><dt>{esc(output.label)}</dt>'
                         f'<dd data-out="{esc(output.name)}">{esc(value)}</dd></div>')
        elif output.kind in ("svg", "html"):  # markup built (and escaped) by the calculators
            parts.append(f'<div class="calc-output calc-output-wide"><dt>{esc(output.label)}</dt>'
                         f'<dd data-out="{esc(output.name)}" data-out-kind="markup">{value}</dd></div>')
        else:
            parts.append(f'<div class="calc-output"><dt>{esc(output.label)}</dt>'
                         f'<dd data-out="{esc(output.name)}">{esc(value)}</dd></div>')
    parts.append("</dl></div>")
    parts.append('<p class="calc-error calc-error-general" data-error-for=""></p>')
    parts.append('<div class="calc-footer"><p class="calc-status" data-calc-status>Computed when this page was built. '
                 'Change an input to recompute in your browser.</p>'
                 '<button type="button" class="md-button calc-copy" data-calc-copy hidden>Copy link</button>'
                 '<span class="calc-copied" data-calc-copied aria-live="polite"></span></div></div>')
    return "".join(parts)
