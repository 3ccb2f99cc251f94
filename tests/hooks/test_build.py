"""One build's events: page bookkeeping, the theme's script bundle, body-rule messages."""

import dataclasses
import logging
import pathlib
import re
import types

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from hooks.build import Build, theme_bundle
from hooks.glossary import entries
from tests.conftest import ROOT

GLOSSARY = entries.load(ROOT / "glossary")


def fake_page(src_uri):
    return types.SimpleNamespace(file=types.SimpleNamespace(src_uri=src_uri), meta={})


def test_page_events_count_widgets_and_inline_diagrams_of_that_page():
    build = Build()
    first, second = fake_page("docs/one.md"), fake_page("docs/two.md")
    build.on_page_markdown('Text.\n\n--8<-- "docs/diagrams/cuda-stack.svg"\n', first, None, None)
    build.on_page_markdown("No diagram.\n", second, None, None)
    widget = '<div class="calc-widget" id="calc-1">'
    assert build.on_page_content(f"<p>x</p>{widget}{widget}", second, None, None) == f"<p>x</p>{widget}{widget}"
    html = build.on_page_content("<p>@@diagram:0@@</p>", first, None, None)
    assert html.startswith("<svg") and "@@diagram" not in html
    assert (first.meta["calculator_widgets"], second.meta["calculator_widgets"]) == (0, 2)
    assert build.page_diagrams == {}  # each page's paths are dropped once used


def test_theme_bundle_is_found_among_the_themes_files():
    config = load_config(str(ROOT / "mkdocs.yml"))
    base = next((p / "base.html").read_text() for p in map(pathlib.Path, config.theme.dirs)
                if (p / "base.html").is_file())
    assert theme_bundle(config.theme.dirs) in base  # the script the theme itself loads


@pytest.mark.parametrize("names, found", [([], "none"), (["bundle.aa.min.js", "bundle.bb.min.js"], "bundle.bb")])
def test_theme_bundle_missing_or_ambiguous_fails_clearly(tmp_path, names, found):
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    for name in names:
        (scripts / name).write_text("")
    with pytest.raises(PluginError, match=f"overrides/main.html needs the theme's script bundle.*{found}"):
        theme_bundle([str(tmp_path)])


@pytest.mark.parametrize("serving, level", [(True, logging.WARNING), (False, logging.INFO)])
def test_body_rules_are_logged_naming_the_file(caplog, serving, level):
    build = Build(serving=serving)
    short = dataclasses.replace(GLOSSARY.by_slug()["vram"], body="VRAM holds 80 GB.")
    build.glossary = dataclasses.replace(GLOSSARY, entries=tuple(short if e.slug == "vram" else e for e in GLOSSARY.entries))
    with caplog.at_level(logging.DEBUG, logger="mkdocs.hooks.site"):
        build.check_bodies()
    messages = [(record.levelno, record.getMessage()) for record in caplog.records]
    assert (level, "glossary/vram.md: the text has 4 words; an entry has 150 to 700") in messages
    assert any(lvl == level and re.match(r"glossary/vram\.md: typed figures \['80 GB'\]", m) for lvl, m in messages)
    assert all(message.startswith("glossary/vram.md: ") for _, message in messages)


def test_current_glossary_breaks_no_body_rule(caplog):
    build = Build(serving=True)
    build.glossary = GLOSSARY
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.site"):
        build.check_bodies()
    assert caplog.records == []
