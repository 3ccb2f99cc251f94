"""External links in every page and entry are well-formed https URLs (reachability is not checked: CI has no
network beyond the package registries)."""

import pathlib
import re
import urllib.parse

import pytest

from tests.conftest import ROOT

LINK = re.compile(r"\]\((https?://[^)\s]+)\)|\b(?:href|src)=\"(https?://[^\"]+)\"|^\s*url:\s*(https?://\S+)", re.MULTILINE)
SOURCES = sorted([*(ROOT / "docs").rglob("*.md"), *(ROOT / "glossary").glob("*.md"), ROOT / "README.md",
                  ROOT / "CONTRIBUTING.md"])
#: Example addresses in prose about linking, never meant to resolve.
PLACEHOLDER_HOSTS = {"YOUR-HOST", "127.0.0.1:8000", "127.0.0.1"}


def external_links(path: pathlib.Path) -> list[str]:
    text = re.sub(r"^(`{3,}).*?^\1", "", path.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)
    return [next(group for group in match.groups() if group) for match in LINK.finditer(text)]


def test_pages_have_external_links_to_check():
    assert sum(len(external_links(path)) for path in SOURCES) > 200


@pytest.mark.parametrize("path", SOURCES, ids=[p.relative_to(ROOT).as_posix() for p in SOURCES])
def test_external_links_are_well_formed_https(path):
    for url in external_links(path):
        parts = urllib.parse.urlsplit(url)
        if parts.netloc in PLACEHOLDER_HOSTS:
            continue
        assert parts.scheme == "https", url
        assert re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}(:\d+)?", parts.netloc.lower()), url
        assert " " not in url and not url.endswith((".", ",")), url
