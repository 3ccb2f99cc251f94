"""Content rules for glossary entries, shared by the tests and by authors' local checks."""

import re

WORDS_MIN, WORDS_MAX = 150, 700
MIN_BODY_LINKS = 3
ENTRY_LINK = re.compile(r"\]\(([a-z0-9]+(?:-[a-z0-9]+)*)\.md(?:#[^)]*)?\)")
#: Spec-sheet rates must come from the catalogs ({{ gpu:id:field }}), never typed.
LITERAL_SPEC_FIGURE = re.compile(r"\b\d[\d,.]*\s*(?:TB/s|GB/s|TFLOP/s|TFLOPS|PFLOP/s|PFLOPS|TOPS)\b")
_FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.DOTALL | re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_SNIPPET = re.compile(r"^--8<--.*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")


def prose(body: str) -> str:
    """The body without code fences, snippets and HTML tags: what a reader reads as text."""
    text = _FENCE.sub(" ", body)
    text = _SNIPPET.sub(" ", text)
    return _TAG.sub(" ", text)


def word_count(body: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’\-./]*", _PLACEHOLDER.sub("N", prose(body))))


def linked_slugs(body: str) -> list[str]:
    return ENTRY_LINK.findall(prose(body))


def literal_spec_figures(body: str) -> list[str]:
    return LITERAL_SPEC_FIGURE.findall(_PLACEHOLDER.sub(" ", prose(body)))
