"""Body rules for glossary entries: each names what is wrong, and a good entry passes them all."""

import dataclasses

from hooks.glossary import entries, rules
from tests.conftest import ROOT

GLOSSARY = entries.load(ROOT / "glossary")
BY_SLUG = GLOSSARY.by_slug()
VRAM = BY_SLUG["vram"]


def with_body(body):
    return dataclasses.replace(VRAM, body=body)


def test_a_published_entry_breaks_no_rule():
    assert rules.problems(VRAM, BY_SLUG) == []


def test_length():
    assert rules.check_length(with_body("word " * 149), BY_SLUG) == ["the text has 149 words; an entry has 150 to 700"]
    assert rules.check_length(with_body("word " * 150), BY_SLUG) == []
    assert rules.check_length(with_body("word " * 701), BY_SLUG) == ["the text has 701 words; an entry has 150 to 700"]


def test_links_count_other_entries_and_must_exist():
    body = "See [HBM](hbm.md), [this](vram.md) and [gone](no-such-entry.md)."
    assert rules.check_links(with_body(body), BY_SLUG) == [
        "the text links 2 other entries (hbm, no-such-entry); link at least 3",
        "the text links entries that do not exist: no-such-entry"]
    assert rules.check_links(with_body("[a](hbm.md) [b](kv-cache.md) [c](tensor-core.md)"), BY_SLUG) == []


def test_typed_figures_but_not_placeholders_or_code():
    body = "It holds 80 GB at {{ gpu:h100-sxm:memory_gb }} and {{ given: 2 MiB }}.\n\n```\n16 GB in code\n```\n"
    (problem,) = rules.check_figures(with_body(body), BY_SLUG)
    assert problem.startswith("typed figures ['80 GB']: quote catalog figures with {{ gpu:<id>:<field> }}")
