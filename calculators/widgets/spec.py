"""What a widget is: its input fields, its outputs and the function that computes them.

The site renders the form from ``fields``, prerenders ``compute(defaults)`` at
build time and, in the browser, calls :func:`calculators.widgets.run` through
Pyodide on every input change. Values cross that boundary as text.
"""

import dataclasses
from collections.abc import Callable, Mapping


@dataclasses.dataclass(frozen=True)
class Field:
    """One input of a widget. ``kind`` is ``number``, ``select``, ``text`` or ``textarea``.

    ``name`` is also the URL parameter that shares the input, so it never changes once
    published; ``aliases`` lists earlier names that old links may still carry.
    """

    name: str
    label: str
    kind: str
    default: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label) pairs for ``select``
    help: str = ""
    aliases: tuple[str, ...] = ()
    #: Argument names the engine uses for this input; its errors under those names belong to this field.
    engine_names: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Output:
    """One result slot. ``kind`` is ``text`` (a headline value), ``note`` (a sentence), or ``svg`` / ``html``
    (markup built and escaped by the calculators, e.g. a chart or a table)."""

    name: str
    label: str
    kind: str = "text"


@dataclasses.dataclass(frozen=True)
class Widget:
    id: str
    title: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...]
    compute: Callable[[Mapping[str, str]], Mapping[str, str]]

    summary: str = ""  # one line shown under the title
    #: Inputs that differ from the defaults and an input that must be rejected: the tests (CPython, Pyodide and
    #: the browser) compute both, so every widget is exercised the same way.
    example: Mapping[str, str] = dataclasses.field(default_factory=dict)
    invalid: tuple[str, str] = ("", "")

    def defaults(self) -> dict[str, str]:
        return {field.name: field.default for field in self.fields}

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)
