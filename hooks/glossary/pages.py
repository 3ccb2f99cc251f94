"""Turn the validated glossary into site pages: one per entry, one per section, an A–Z index."""

import html
import itertools
import json
import re

from hooks.glossary.entries import Entry, Glossary

INDEX_URI = "glossary/index.md"
#: Entries rank above pages that merely mention their term.
ENTRY_SEARCH_BOOST = 4


def entry_uri(slug: str) -> str:
    return f"glossary/{slug}.md"


def section_uri(section_id: str) -> str:
    return f"glossary/sections/{section_id}.md"


def generate(glossary: Glossary) -> dict[str, str]:
    """Every generated page: ``src_uri`` → Markdown."""
    pages = {INDEX_URI: index_page(glossary)}
    for section in glossary.sections:
        pages[section_uri(section.id)] = section_page(glossary, section)
    for entry in glossary.entries:
        pages[entry_uri(entry.slug)] = entry_page(glossary, entry)
    return pages


def _front_matter(title: str, description: str, *, search_boost: float = 1) -> str:
    # JSON strings are valid YAML scalars, so any title or summary survives quoting.
    boost = f"search:\n  boost: {search_boost}\n" if search_boost != 1 else ""
    return f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n{boost}---\n\n"


def _shows_abbreviation(entry: Entry) -> bool:
    """An abbreviation goes after the title unless the title already spells it ("KV cache", not "KV cache (KV)")."""
    abbreviation = entry.abbreviation
    return bool(abbreviation) and not re.search(rf"(?<!\w){re.escape(abbreviation)}(?!\w)", entry.title)


def markdown_text(text: str) -> str:
    """``text`` shown literally in Markdown: names such as ``__constant__`` or ``cp.async`` are not markup."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def entry_page(glossary: Glossary, entry: Entry) -> str:
    by_slug = glossary.by_slug()
    section = next(s for s in glossary.sections if s.id == entry.section)
    heading = f"{entry.title} ({entry.abbreviation})" if _shows_abbreviation(entry) else entry.title
    meta = [f"[{section.title}](sections/{section.id}.md)"]
    if entry.aliases:
        meta.append("Also called " + ", ".join(f"<em>{html.escape(alias)}</em>" for alias in entry.aliases))
    lines = [
        _front_matter(entry.title, entry.summary, search_boost=ENTRY_SEARCH_BOOST),
        f"# {heading}\n",
        f'<p class="gl-meta" markdown>{" · ".join(meta)}</p>\n',
        f'<p class="gl-summary">{html.escape(entry.summary)}</p>\n',
        entry.body.strip() + "\n",
    ]
    if entry.related:
        lines.append("\n## Related terms\n")
        for slug in entry.related:
            other = by_slug[slug]
            lines.append(f"- [{other.title}]({slug}.md): {other.summary}")
        lines.append("")
    lines.append("\n## Sources\n")
    for number, source in enumerate(entry.sources, start=1):
        label = source.title or source.url
        lines.append(f"{number}. [{label}]({source.url})")
    return "\n".join(lines) + "\n"


def section_page(glossary: Glossary, section) -> str:
    lines = [_front_matter(section.title, section.description), f"# {section.title}\n", section.description + "\n"]
    entries = glossary.in_section(section.id)
    if not entries:
        lines.append("No entries yet.")
    for entry in entries:
        lines.append(f"- [{entry.title}](../{entry.slug}.md): {entry.summary}")
    return "\n".join(lines) + "\n"


def index_page(glossary: Glossary) -> str:
    """A–Z of every title, abbreviation and alias; names other than the title point at the entry."""
    names = []
    for entry in glossary.entries:
        for name in entry.names:
            names.append((name, entry))
    names.sort(key=lambda item: item[0].casefold())
    description = "Every term in the glossary, with its abbreviations and other names, from A to Z."
    lines = [_front_matter("Glossary A–Z", description), "# Glossary A–Z\n", description + "\n", "By section: " +
             " · ".join(f"[{s.title}](sections/{s.id}.md)" for s in glossary.sections) + "\n"]

    def initial(item):
        first = item[0][:1].upper()
        return first if first.isalpha() else "#"

    groups = [(letter, list(items)) for letter, items in itertools.groupby(names, key=initial)]
    lines.append('<nav class="gl-letters" aria-label="Letters">' + " ".join(
        f'<a href="#letter-{letter.lower() if letter != "#" else "symbols"}">{letter}</a>' for letter, _ in groups) + "</nav>\n")
    for letter, items in groups:
        anchor = letter.lower() if letter != "#" else "symbols"
        lines.append(f"## {markdown_text(letter)} {{ #letter-{anchor} }}\n")
        for name, entry in items:
            if name == entry.title:
                lines.append(f"- [{markdown_text(name)}]({entry.slug}.md): {entry.summary}")
            else:
                lines.append(f"- {markdown_text(name)}: see [{markdown_text(entry.title)}]({entry.slug}.md)")
        lines.append("")
    return "\n".join(lines) + "\n"


def nav_items(glossary: Glossary) -> list:
    """The Glossary part of the navigation: the A–Z index, then each section with its entries."""
    items = [{"A–Z": INDEX_URI}]
    for section in glossary.sections:
        entries = glossary.in_section(section.id)
        children = [{"Overview": section_uri(section.id)}]
        children += [{entry.title: entry_uri(entry.slug)} for entry in entries]
        items.append({section.title: children})
    return items
