"""Replace ``{{ gpu:h100-sxm:memory_gb }}`` in page Markdown with the catalog's figure.

A page that names an unknown entry or field fails the build, so prose cannot
drift from the catalogs the calculators use.
"""

import re

from calculators import figures
from calculators.errors import InputError

PATTERN = re.compile(r"\{\{\s*(gpu|model):([a-z0-9][a-z0-9.\-]*):([a-z0-9_.]+)\s*\}\}")


def replace(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with figures filled in, and the problems found."""
    errors = []

    def fill(match):
        kind, entry_id, path = match.groups()
        try:
            return figures.figure(kind, entry_id, path)
        except InputError as error:
            errors.append(f"{match.group(0)}: {error.message}")
            return match.group(0)

    return PATTERN.sub(fill, markdown), errors
