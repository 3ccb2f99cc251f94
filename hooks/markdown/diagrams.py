"""Inline SVG diagrams without passing them through Markdown.

Authors embed a diagram with the snippet line ``--8<-- "docs/diagrams/<name>.svg"`` (the methodology pages
embed their generated validation plots from ``docs/methodology/_generated/`` the same way).
Before Markdown runs, each such line becomes a token; after, the token becomes the
SVG itself. Markdown never sees the SVG, so abbreviation tooltips cannot rewrite
words inside a drawing and blank lines in the file do no harm.
"""

import pathlib
import re

SNIPPET = re.compile(r'^--8<--\s+"(docs/(?:diagrams|methodology/_generated)/[A-Za-z0-9_.\-]+\.svg)"\s*$', re.MULTILINE)
_TOKEN = "@@diagram:{}@@"
_TOKEN_PATTERN = re.compile(r"(?:<p>)?@@diagram:(\d+)@@(?:</p>)?")


def extract(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with diagram snippets replaced by tokens, and the SVG paths in token order."""
    paths: list[str] = []

    def token(match):
        paths.append(match.group(1))
        return _TOKEN.format(len(paths) - 1)

    return SNIPPET.sub(token, markdown), paths


def insert(html: str, paths: list[str], root: pathlib.Path) -> str:
    """Replace the tokens in rendered HTML with the SVG files' contents."""
    def svg(match):
        path = root / paths[int(match.group(1))]
        if not path.is_file():
            raise FileNotFoundError(f"diagram {paths[int(match.group(1))]} does not exist")
        text = path.read_text(encoding="utf-8")
        return re.sub(r"<\?xml[^>]*\?>\s*", "", text).strip()

    return _TOKEN_PATTERN.sub(svg, html)
