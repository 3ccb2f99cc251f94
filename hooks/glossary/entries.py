"""Glossary entries: read ``glossary/<slug>.md``, validate the front matter, index aliases.

Every problem raises :class:`GlossaryError` naming the file and the field, so a
strict build fails with a message an author can act on.
"""

import dataclasses
import pathlib
import re

import yaml

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Slugs that would collide with generated pages under /glossary/.
RESERVED_SLUGS = frozenset({"index", "sections", "a-z"})
SUMMARY_MAX_CHARS = 200
REQUIRED_FIELDS = ("title", "aliases", "section", "summary", "related", "sources")
OPTIONAL_FIELDS = ("abbreviation",)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*(?:\n|\Z)", re.DOTALL)


class GlossaryError(Exception):
    """An entry or the section list is invalid."""


@dataclasses.dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str


@dataclasses.dataclass(frozen=True)
class Source:
    url: str
    title: str


@dataclasses.dataclass(frozen=True)
class Entry:
    slug: str
    path: pathlib.Path
    title: str
    aliases: tuple[str, ...]
    abbreviation: str | None
    section: str
    summary: str
    related: tuple[str, ...]
    sources: tuple[Source, ...]
    body: str

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the entry answers to: title, abbreviation, aliases."""
        extra = (self.abbreviation,) if self.abbreviation and self.abbreviation.casefold() != self.title.casefold() else ()
        return (self.title, *extra, *self.aliases)


@dataclasses.dataclass(frozen=True)
class Glossary:
    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]  # sorted by title, case-insensitive

    def by_slug(self) -> dict[str, Entry]:
        return {entry.slug: entry for entry in self.entries}

    def in_section(self, section_id: str) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.section == section_id)


def load(directory: pathlib.Path) -> Glossary:
    """Read and validate the whole glossary in ``directory``."""
    sections = load_sections(directory / "_sections.yml")
    section_ids = {section.id for section in sections}
    entries = [load_entry(path, section_ids) for path in sorted(directory.glob("*.md"))]
    check_related(entries)
    check_names_unique(entries)
    entries.sort(key=lambda entry: entry.title.casefold())
    return Glossary(sections=tuple(sections), entries=tuple(entries))


def load_sections(path: pathlib.Path) -> list[Section]:
    try:
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GlossaryError(f"{path.name}: cannot read the section list ({error})") from None
    if not isinstance(records, list) or not records:
        raise GlossaryError(f"{path.name}: expected a non-empty list of sections")
    sections = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("id", "title", "description")):
            raise GlossaryError(f"{path.name}: section #{index + 1} needs text fields id, title and description")
        sections.append(Section(record["id"], record["title"], record["description"]))
    return sections


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise GlossaryError(f"{name}: missing YAML front matter (the file must start with '---')")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise GlossaryError(f"{name}: front matter is not valid YAML ({error})") from None
    if not isinstance(meta, dict):
        raise GlossaryError(f"{name}: front matter must be a mapping of fields")
    return meta, text[match.end():]


def load_entry(path: pathlib.Path, section_ids: set[str]) -> Entry:
    name = f"glossary/{path.name}"
    slug = path.stem
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise GlossaryError(f"{name}: file name must be a lowercase hyphenated slug, not one of {sorted(RESERVED_SLUGS)}")
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), name)

    def fail(field: str, problem: str):
        raise GlossaryError(f"{name}: field '{field}' {problem}")

    for field in REQUIRED_FIELDS:
        if field not in meta:
            fail(field, "is missing")
    for field in meta:
        if field not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            fail(field, f"is not a known field (known: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})")

    title = _text(meta["title"]) or fail("title", "must be non-empty text")
    summary = _text(meta["summary"]) or fail("summary", "must be non-empty text")
    if len(summary) > SUMMARY_MAX_CHARS:
        fail("summary", f"has {len(summary)} characters; the limit is {SUMMARY_MAX_CHARS}")
    if _SENTENCE_BREAK.search(summary) or summary[-1] not in ".!?":
        fail("summary", "must be exactly one sentence ending with a full stop")
    if set(summary) & set('"<>'):
        fail("summary", "must not contain \", < or > (it becomes the page's meta description); use “typographic” quotes")
    section = meta["section"]
    if section not in section_ids:
        fail("section", f"has unknown section {section!r} (known: {', '.join(sorted(section_ids))})")
    abbreviation = meta.get("abbreviation")
    if abbreviation is not None and not _text(abbreviation):
        fail("abbreviation", "must be non-empty text when present")
    aliases = _text_list(meta["aliases"]) 
    if aliases is None:
        fail("aliases", "must be a list of non-empty texts (use [] for none)")
    related = _text_list(meta["related"])
    if related is None:
        fail("related", "must be a list of entry slugs")
    if slug in related:
        fail("related", "must not list the entry itself")
    sources = _sources(meta["sources"])
    if not sources:
        fail("sources", "must be a non-empty list of https URLs, or of {title, url} mappings with https URLs")
    return Entry(slug=slug, path=path, title=title, aliases=tuple(aliases),
                 abbreviation=_text(abbreviation) if abbreviation else None, section=section, summary=summary,
                 related=tuple(related), sources=tuple(sources), body=body)


def check_related(entries: list[Entry]) -> None:
    slugs = {entry.slug for entry in entries}
    for entry in entries:
        for slug in entry.related:
            if slug not in slugs:
                raise GlossaryError(f"glossary/{entry.path.name}: field 'related' names '{slug}', which is not an entry")


def check_names_unique(entries: list[Entry]) -> None:
    """A name (title, abbreviation or alias) may point at one entry only."""
    owner: dict[str, Entry] = {}
    for entry in entries:
        seen_here = set()
        for name in entry.names:
            key = name.casefold()
            if key in seen_here:
                raise GlossaryError(f"glossary/{entry.path.name}: field 'aliases' repeats '{name}'")
            seen_here.add(key)
            other = owner.get(key)
            if other is not None and other is not entry:
                raise GlossaryError(f"glossary/{entry.path.name}: field 'aliases' has duplicate alias '{name}', "
                                    f"already used by glossary/{other.path.name}")
            owner[key] = entry


def _text(value) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _text_list(value) -> list[str] | None:
    if not isinstance(value, list):
        return None
    items = [_text(item) for item in value]
    return None if any(item is None for item in items) else items


def _sources(value) -> list[Source] | None:
    if not isinstance(value, list) or not value:
        return None
    sources = []
    for item in value:
        if isinstance(item, str):
            url, title = item.strip(), ""
        elif isinstance(item, dict) and set(item) <= {"title", "url"} and isinstance(item.get("url"), str):
            url, title = item["url"].strip(), _text(item.get("title")) or ""
        else:
            return None
        if not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", url):
            return None
        sources.append(Source(url=url, title=title))
    return sources
