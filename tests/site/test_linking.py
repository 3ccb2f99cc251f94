"""Linking and sharing on the built site: redirects, glossary.json, tags, tooltips, embeds, search."""

import html as html_lib
import json
import re

import jsonschema
import pytest
from playwright.sync_api import expect

from hooks.glossary import entries as glossary_entries
from hooks.glossary import linking
from tests.conftest import ROOT

GLOSSARY = glossary_entries.load(ROOT / "glossary")
RENAMED = linking.load_renamed(ROOT / "glossary" / "_renamed.yml", GLOSSARY)
REDIRECTS = linking.redirect_slugs(GLOSSARY, RENAMED)


def test_every_alias_and_old_slug_resolves(built_site):
    assert REDIRECTS, "expected alias redirects"
    assert set(RENAMED) <= set(REDIRECTS)
    for slug, target in REDIRECTS.items():
        page = (built_site / "glossary" / slug / "index.html").read_text()
        assert f'url=../{target}/"' in page, slug
        assert re.search(rf'<link rel="canonical" href="http://127\.0\.0\.1:\d+/glossary/{target}/">', page), slug


def test_alias_redirect_lands_on_the_entry_in_a_browser(page, site_url):
    page.goto(site_url + "glossary/key-value-cache/")
    page.wait_for_url("**/glossary/kv-cache/")
    assert page.locator("h1").inner_text().startswith("KV cache")


def test_renamed_slugs_are_checked(tmp_path):
    path = tmp_path / "_renamed.yml"
    path.write_text("kv-caching: kv-cache\n")
    renamed = linking.load_renamed(path, GLOSSARY)
    assert linking.redirect_slugs(GLOSSARY, renamed)["kv-caching"] == "kv-cache"
    path.write_text("kv-caching: nowhere\n")
    with pytest.raises(glossary_entries.GlossaryError, match="'kv-caching' points at 'nowhere'"):
        linking.load_renamed(path, GLOSSARY)
    path.write_text("vram: kv-cache\n")
    with pytest.raises(glossary_entries.GlossaryError, match="still an entry's slug"):
        linking.load_renamed(path, GLOSSARY)


def test_glossary_json_validates_and_matches_the_files(built_site):
    document = json.loads((built_site / "glossary.json").read_text())
    schema = json.loads((ROOT / "docs" / "glossary.schema.json").read_text())
    jsonschema.validate(document, schema)
    by_slug = {item["slug"]: item for item in document["entries"]}
    assert set(by_slug) == {entry.slug for entry in GLOSSARY.entries}
    for entry in GLOSSARY.entries:
        item = by_slug[entry.slug]
        assert (item["title"], item["summary"], item["section"]) == (entry.title, entry.summary, entry.section)
        assert item["aliases"] == list(entry.aliases) and item["related"] == list(entry.related)
        assert [s["url"] for s in item["sources"]] == [s.url for s in entry.sources]
        assert item["url"].endswith(f"/glossary/{entry.slug}/")
    assert (built_site / "glossary.schema.json").is_file()


def test_llms_txt_and_sitemap_list_every_entry(built_site):
    llms = (built_site / "llms.txt").read_text()
    sitemap = (built_site / "sitemap.xml").read_text()
    for entry in GLOSSARY.entries:
        assert f"/glossary/{entry.slug}/)" in llms
        assert f"/glossary/{entry.slug}/</loc>" in sitemap


def test_entry_pages_have_their_own_description_and_open_graph_tags(built_site):
    descriptions = set()
    for entry in GLOSSARY.entries:
        html = (built_site / "glossary" / entry.slug / "index.html").read_text()
        description = html_lib.unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
        assert description == entry.summary
        assert re.search(rf'<meta property="og:url" content="[^"]*/glossary/{entry.slug}/"', html)
        for tag in ('property="og:title"', 'property="og:description"', 'property="og:image"', 'name="twitter:card"'):
            assert tag in html, (entry.slug, tag)
        descriptions.add(description)
    assert len(descriptions) == len(GLOSSARY.entries)
    assert (built_site / "assets" / "social-card.png").stat().st_size > 10_000


def test_abbreviation_tooltip_on_a_page_that_is_not_its_entry(page, site_url):
    page.goto(site_url + "glossary/vram/")
    abbr = page.locator("article abbr", has_text="KV").first
    assert abbr.get_attribute("title").startswith("KV cache:")
    abbr.hover()
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text="KV cache")
    tooltip.first.wait_for(state="visible", timeout=5_000)


def test_link_helpers_on_every_entry(built_site):
    for entry in GLOSSARY.entries:
        text = re.sub(r"<[^>]+>", "", (built_site / "glossary" / entry.slug / "index.html").read_text())
        assert "Link to this entry" in text
        assert f"@misc{{gpuglossary:{entry.slug}," in text
        assert f'[{entry.title}](http://127.0.0.1:' in text
        assert f"/embed/{entry.slug}/" in text


def test_embed_card_renders_in_an_iframe(page, site_url):
    page.set_content(f'<iframe id="card" src="{site_url}embed/kv-cache/" width="480" height="200"></iframe>')
    frame = page.frame_locator("#card")
    frame.locator("h1").wait_for()
    assert frame.locator("h1").inner_text() == "KV cache"
    assert "keys and values" in frame.locator(".summary").inner_text()
    assert frame.locator("a").first.get_attribute("href").endswith("/glossary/kv-cache/")


def test_search_finds_an_entry_by_alias_first(page, site_url):
    page.goto(site_url + "calculators/")
    page.wait_for_load_state("networkidle")  # the search worker has fetched its index
    page.keyboard.press("/")  # Material's shortcut that opens the search box
    page.locator(".md-search__input").press_sequentially("past key values")
    # results update while the words are typed: the answer is the first result once the whole query is in
    expect(page.locator(".md-search-result__item").first).to_contain_text("KV cache", timeout=20_000)
