"""Fill catalog figures into page Markdown before it is rendered.

Three placeholders, so prose cannot drift from the catalogs the calculators use:

- ``{{ gpu:h100-sxm:memory_gb }}`` quotes one catalog field with its unit;
- ``{{ = weight_bytes("llama-3.1-8b", "bf16") / GB :.2f }}`` computes a figure derived from the catalogs
  (``calculators.figures.expressions``);
- ``{{ given: 2 MiB }}`` marks a number that is deliberately not from a catalog (an assumption of a worked
  example, a software constant) and prints it unchanged; the glossary tests check it is not a catalog figure.

A page that names an unknown entry, field or function fails the build.
"""

import re

from calculators.core.errors import InputError
from calculators.figures import expressions
from calculators.figures import quote as catalog_quote

PATTERN = re.compile(r"\{\{\s*(gpu|model):([a-z0-9][a-z0-9.\-]*):([a-z0-9_.]+)\s*\}\}")
EXPRESSION = re.compile(r"\{\{\s*=\s*(.+?)\s*\}\}")
GIVEN = re.compile(r"\{\{\s*given:\s*(.+?)\s*\}\}")


def replace(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with figures filled in, and the problems found."""
    errors = []

    def quote(match):
        kind, entry_id, path = match.groups()
        return _attempt(match, errors, lambda: catalog_quote.figure(kind, entry_id, path))

    def compute(match):
        return _attempt(match, errors, lambda: expressions.render(match.group(1)))

    markdown = PATTERN.sub(quote, markdown)
    markdown = EXPRESSION.sub(compute, markdown)
    return GIVEN.sub(lambda match: match.group(1), markdown), errors


def _attempt(match, errors: list[str], make) -> str:
    try:
        return make()
    except InputError as error:
        errors.append(f"{match.group(0)}: {error.message}")
        return match.group(0)
