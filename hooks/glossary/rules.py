"""Body rules for glossary entries: length, links to other entries, no typed figures.

``tests/glossary/test_content.py`` enforces them; the build logs each broken one (``hooks/build.py``), so
``make serve`` shows an author what ``make test`` will say. Front-matter rules live in ``entries.py``.
"""

import re

WORDS_MIN, WORDS_MAX = 150, 700
MIN_BODY_LINKS = 3
ENTRY_LINK = re.compile(r"\]\(([a-z0-9]+(?:-[a-z0-9]+)*)\.md(?:#[^)]*)?\)")
#: A number with a unit of size, time, rate or power: in prose it must be a placeholder, either quoted or computed
#: from the catalogs ({{ gpu:id:field }}, {{ = expression }}) or declared not to be a catalog figure
#: ({{ given: 2 MiB }}).
LITERAL_FIGURE = re.compile(
    r"(?<![\w.])\d[\d,.]*\s*(?:[KMGT]i?B|kB|[mµun]s|s|[KMGT]B/s|tokens/s|tok/s|[TGP]FLOP/s|[TGP]FLOPS|[TGP]FLOP|TOPS"
    r"|W)(?![\w/])")
GIVEN = re.compile(r"\{\{\s*given:\s*(.+?)\s*\}\}")
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


def literal_figures(body: str) -> list[str]:
    """Numbers with units typed into the text instead of rendered from a placeholder."""
    return LITERAL_FIGURE.findall(_PLACEHOLDER.sub(" ", prose(body)))


def given_figures(body: str) -> list[str]:
    """Numbers the entry declares are not catalog figures (``{{ given: 2 MiB }}``)."""
    return GIVEN.findall(prose(body))


def check_length(entry, slugs) -> list[str]:
    count = word_count(entry.body)
    if WORDS_MIN <= count <= WORDS_MAX:
        return []
    return [f"the text has {count} words; an entry has {WORDS_MIN} to {WORDS_MAX}"]


def check_links(entry, slugs) -> list[str]:
    """At least ``MIN_BODY_LINKS`` other entries linked from the text, each one an entry that exists."""
    linked = set(linked_slugs(entry.body)) - {entry.slug}
    problems = []
    if len(linked) < MIN_BODY_LINKS:
        problems.append(f"the text links {len(linked)} other entries ({', '.join(sorted(linked)) or 'none'}); "
                        f"link at least {MIN_BODY_LINKS}")
    missing = sorted(linked - set(slugs))
    if missing:
        problems.append(f"the text links entries that do not exist: {', '.join(missing)}")
    return problems


def check_figures(entry, slugs) -> list[str]:
    typed = literal_figures(entry.body)
    if not typed:
        return []
    return [f"typed figures {typed}: quote catalog figures with {{{{ gpu:<id>:<field> }}}}, compute derived ones with "
            "{{ = <expression> }}, and mark assumptions {{ given: <number> <unit> }}"]


BODY_RULES = (check_length, check_links, check_figures)


def problems(entry, slugs) -> list[str]:
    """Every body rule ``entry`` breaks; ``slugs`` are the glossary's entries."""
    return [problem for rule in BODY_RULES for problem in rule(entry, slugs)]
