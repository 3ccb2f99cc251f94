"""Every glossary entry meets the content bar: length, links, sources, catalog figures, diagrams, reachability."""

import collections
import re

import pytest

from hooks.glossary import entries as glossary_entries
from hooks.glossary import rules
from tests.conftest import ROOT
from tests.glossary import known_figures

GLOSSARY = glossary_entries.load(ROOT / "glossary")
ENTRIES = GLOSSARY.entries
BY_SLUG = GLOSSARY.by_slug()
PART_ONE = ("performance", "numerics", "llm-memory")
PART_TWO = ("device-hardware", "programming-model", "host-software")
SNIPPET = re.compile(r'^--8<-- "([^"]+)"', re.MULTILINE)
SECTION_LINK = re.compile(r"\]\(sections/([a-z0-9-]+)\.md\)")


def ids(entries):
    return [entry.slug for entry in entries]


def test_part_one_has_at_least_55_entries():
    counts = collections.Counter(entry.section for entry in ENTRIES)
    assert sum(counts[section] for section in PART_ONE) >= 55, counts
    assert all(counts[section] >= 8 for section in PART_ONE), counts


def test_part_two_has_at_least_65_entries():
    counts = collections.Counter(entry.section for entry in ENTRIES)
    assert sum(counts[section] for section in PART_TWO) >= 65, counts
    assert all(counts[section] >= 8 for section in PART_TWO), counts


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_word_count_in_range(entry):
    assert rules.check_length(entry, BY_SLUG) == []


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_links_at_least_three_other_entries_in_the_text(entry):
    assert rules.check_links(entry, BY_SLUG) == []


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_has_primary_sources(entry):
    assert entry.sources
    assert all(source.url.startswith("https://") for source in entry.sources)


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_figures_are_rendered_not_typed(entry):
    assert rules.check_figures(entry, BY_SLUG) == []


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_given_figures_are_not_catalog_figures(entry):
    for given in rules.given_figures(entry.body):
        parts = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)\s*(\S+)", given)
        assert parts, f"{{{{ given: {given} }}}} should be a number and a unit"
        same = known_figures.match(*parts.groups(), entry.body)
        assert same is None, f"{given} is the catalog's {same}: render it with a placeholder"


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_diagrams_have_alt_text(entry):
    for path in SNIPPET.findall(entry.body):
        if path.endswith(".svg"):
            svg = (ROOT / path).read_text()
            assert 'role="img"' in svg
            title = re.search(r"<title[^>]*>([^<]{3,})</title>", svg)
            desc = re.search(r"<desc[^>]*>([^<]{20,})</desc>", svg)
            assert title and desc, f"{path} needs a <title> and a <desc> (its alt text)"
            assert "<script" not in svg and "href=\"http" not in svg


def test_no_orphans():
    """Every entry is linked from at least one other entry (text or related list)."""
    linked = collections.Counter()
    for entry in ENTRIES:
        for slug in set(rules.linked_slugs(entry.body)) | set(entry.related):
            if slug != entry.slug:
                linked[slug] += 1
    orphans = [entry.slug for entry in ENTRIES if linked[entry.slug] == 0]
    assert orphans == []


def test_every_entry_within_two_clicks_of_vram():
    """From the VRAM entry, a reader reaches every entry in at most two clicks (entry links plus section pages)."""
    neighbours = {entry.slug: set(rules.linked_slugs(entry.body)) | set(entry.related) for entry in ENTRIES}
    section_links = {f"section:{section}" for section in SECTION_LINK.findall(BY_SLUG["vram"].body)}
    one_click = neighbours["vram"] | {f"section:{BY_SLUG['vram'].section}"} | section_links
    reachable = set(one_click)
    for slug in one_click:
        if slug.startswith("section:"):
            reachable |= {e.slug for e in GLOSSARY.in_section(slug.split(":", 1)[1])}
        else:
            reachable |= neighbours.get(slug, set())
    unreachable = set(BY_SLUG) - reachable - {"vram"}
    assert unreachable == set()


def test_widgets_embedded_in_at_least_twelve_part_one_entries():
    with_widgets = [e.slug for e in ENTRIES if e.section in PART_ONE and "```calculator" in e.body]
    assert len(with_widgets) >= 12, with_widgets


def test_at_least_twelve_diagrams_per_part():
    for part in (PART_ONE, PART_TWO):
        diagrams = {path for e in ENTRIES if e.section in part for path in SNIPPET.findall(e.body) if path.endswith(".svg")}
        assert len(diagrams) >= 12, (part, sorted(diagrams))


def test_a_given_figure_is_checked_against_the_gpus_and_models_the_entry_names():
    assert known_figures.match("80", "GB", "An H100 holds the weights") == "h100-sxm memory"
    assert known_figures.match("64", "MiB", "a gradient bucket on eight H100s") is None  # the RTX 4080's L2, unnamed
    assert known_figures.match("64", "MiB", "the RTX 4080 keeps") == "rtx-4080 last-level cache"
