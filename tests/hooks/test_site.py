"""The hook keeps one Build per build: nothing from one build leaks into the next (``mkdocs serve`` rebuilds)."""

import sys

import pytest
from mkdocs.config import load_config

from hooks import site
from tests.conftest import ROOT


@pytest.fixture
def restored_modules():
    """on_config re-imports hooks.* and calculators.*; give the rest of the session back the modules it holds."""
    def ours():
        return {name: module for name, module in sys.modules.items() if name.partition(".")[0] in ("hooks", "calculators")}
    saved = ours()
    yield
    for name in ours():
        del sys.modules[name]
    sys.modules.update(saved)


def test_each_build_starts_from_a_fresh_state(restored_modules):
    site.on_startup(command="serve", dirty=False)
    site.on_config(load_config(str(ROOT / "mkdocs.yml")))
    first = site._build
    first.page_diagrams["docs/left-over.md"] = ["docs/diagrams/a.svg"]  # as a page whose build failed midway
    site.on_config(load_config(str(ROOT / "mkdocs.yml")))
    second = site._build
    assert second is not first
    assert second.page_diagrams == {}
    assert second.serving  # what on_startup learnt holds for the whole `mkdocs serve` session
    assert [e.slug for e in second.glossary.entries] == [e.slug for e in first.glossary.entries]
    assert second.redirects == first.redirects and second.runtime == first.runtime


def test_a_plain_build_is_not_serving(restored_modules):
    site.on_startup(command="build", dirty=False)
    site.on_config(load_config(str(ROOT / "mkdocs.yml")))
    assert not site._build.serving
