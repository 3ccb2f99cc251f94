"""The ```` ```calculator ```` fence: a widget written in Markdown, prerendered by the calculators.

    ```calculator
    widget: weight-memory
    params: 70e9
    format: int4
    ```

The first line names a widget from ``calculators.widgets``; the other lines set
its inputs. At build time the fence runs the same Python the browser will run,
so the page shows real numbers before (and without) JavaScript. An unknown
widget, an unknown option or an input the calculator rejects raises
``SuperFencesException``, the one error pymdownx.superfences lets through (it
swallows any other), so the build fails and MkDocs names the page.
"""

import collections
import dataclasses
import html
import json
import pathlib

import jinja2
from markupsafe import Markup
from pymdownx.superfences import SuperFencesException

from calculators import widgets

FENCE_NAME = "calculator"
#: What the browser needs to start Python (from hooks.runtime.wheel's runtime.json), written into every widget so the
#: snapshot download can start before anything else is fetched.
_RUNTIME_KEYS = ("lock_file", "snapshot", "wheel", "wheel_sha256")


@dataclasses.dataclass
class PageWidgets:
    """The widgets one page has rendered so far, which number the next one."""

    count: int = 0
    per_widget: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def number(self, widget_id: str) -> tuple[str, str]:
        """The next widget's element id (``calc-3``) and URL key.

        The URL key names the widget, numbered only when a page repeats it, so shared links survive new widgets.
        """
        self.count += 1
        self.per_widget[widget_id] += 1
        seen = self.per_widget[widget_id]
        return f"calc-{self.count}", widget_id if seen == 1 else f"{widget_id}-{seen}"


class Fence:
    """The fence for one build: each widget it renders names that build's Python runtime."""

    def __init__(self, runtime: dict):
        self.runtime_json = json.dumps({key: runtime.get(key) for key in _RUNTIME_KEYS}, sort_keys=True)

    def register(self, config) -> None:
        """Add the fence to pymdownx.superfences' custom fences in ``config``."""
        options = config.mdx_configs.setdefault("pymdownx.superfences", {})
        fences = [fence for fence in options.get("custom_fences", []) if fence.get("name") != FENCE_NAME]
        options["custom_fences"] = fences + [{"name": FENCE_NAME, "class": FENCE_NAME, "format": self.format}]

    def format(self, source, language, class_name, options, md, **kwargs) -> str:
        """The superfences formatter. The page's numbering lives on ``md``, the Markdown instance MkDocs makes for
        each page, so nothing carries over from one page to the next."""
        if not hasattr(md, "calculator_widgets"):
            md.calculator_widgets = PageWidgets()
        try:
            return self.render(parse_options(source), md.calculator_widgets)
        except ValueError as error:
            raise SuperFencesException(f"calculator fence: {error}") from error

    def render(self, options: dict[str, str], page: PageWidgets) -> str:
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
        prefix, url_key = page.number(widget.id)
        return widget_html(widget, values, result["outputs"], prefix=prefix, url_key=url_key,
                           runtime_json=self.runtime_json)


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


def widget_html(widget, values, outputs, *, prefix: str, url_key: str, runtime_json: str) -> str:
    """The widget's form and prerendered results (``widget.html``)."""
    aliases = {field.name: list(field.aliases) for field in widget.fields if field.aliases}
    return _TEMPLATE.render(widget=widget, values=values, outputs=outputs, prefix=prefix, url_key=url_key,
                            aliases=json.dumps(aliases, sort_keys=True), runtime=runtime_json)


class _JoinedLines(jinja2.FileSystemLoader):
    """Reads a template without its line breaks and indentation: the markup has no whitespace between tags, as
    inline elements side by side (a button and its status text) must not gain a space."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        return "".join(line.strip() for line in source.splitlines()), filename, uptodate


def _escape(value):
    """Autoescape with ``html.escape`` (``&quot;``, ``&#x27;``), as the widgets were always written, instead of
    markupsafe's ``&#34;``/``&#39;``: the pages stay byte-identical. Markup (``|safe``) passes unchanged."""
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


_TEMPLATE = jinja2.Environment(
    loader=_JoinedLines(pathlib.Path(__file__).parent), autoescape=True, finalize=_escape,
    undefined=jinja2.StrictUndefined,
).get_template("widget.html")
