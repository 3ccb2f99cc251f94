"""Rendering defects stay fixed: superscripts, the A–Z page's symbol group and code-like names, entry headings."""

import re


def test_superscripts_render_as_superscripts(built_site):
    for page in ("glossary/vram", "calculators/weight-memory"):
        html = (built_site / page / "index.html").read_text()
        assert "2<sup>30</sup>" in html and "2^30^" not in html, page


def test_the_a_to_z_symbol_group_has_a_heading_and_names_stay_literal(built_site):
    html = (built_site / "glossary" / "index.html").read_text()
    heading = re.search(r'<h2 id="letter-symbols">(.*?)<a class="headerlink"', html)
    assert heading and heading.group(1).strip() == "#"
    assert "<li>__constant__ memory: see " in html and "<li>__syncthreads: see " in html
    assert "<strong>constant</strong>" not in html


def heading_text(html: str) -> str:
    """The page's h1 as a reader sees it (tags and the permalink sign removed)."""
    h1 = re.search(r"<h1.*?</h1>", html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", h1).replace("&para;", "").strip()


def test_an_entry_heading_does_not_repeat_an_abbreviation_its_title_spells(built_site):
    assert heading_text((built_site / "glossary" / "kv-cache" / "index.html").read_text()) == "KV cache"
    assert heading_text((built_site / "glossary" / "hbm" / "index.html").read_text()) == "High-bandwidth memory (HBM)"


def test_every_page_says_which_version_of_the_calculators_it_was_built_from(built_site):
    from calculators import __version__
    for page in ("index.html", "glossary/kv-cache/index.html", "calculators/speed/index.html"):
        html = (built_site / page).read_text()
        assert f"Calculators version {__version__}" in html, page
