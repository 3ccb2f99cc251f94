"""Every built page carries a Content-Security-Policy that keeps scripts, styles, fonts, images and connections on
the site's own origin."""

import re


def test_every_page_has_a_strict_policy(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 150
    for page in pages:
        html = page.read_text(encoding="utf-8")
        match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert match, page
        policy = dict(part.strip().split(" ", 1) for part in match.group(1).split(";"))
        assert policy["default-src"] in ("'self'", "'none'"), page
        for directive, sources in policy.items():
            assert "http" not in sources and "*" not in sources, (page, directive)
            assert "'unsafe-eval'" not in sources.split(), (page, directive)
        if "script-src" in policy:
            assert "'unsafe-inline'" not in policy["script-src"].split(), page
            assert policy["connect-src"] == "'self'" and policy["font-src"].startswith("'self'"), page


def test_scripts_are_announced_before_the_policy(built_site):
    """Chromium's preload scanner fetches nothing that follows a CSP <meta>; preload hints ahead of it keep the
    page's scripts downloading in parallel instead of one after another."""
    for name in ("index.html", "calculators/inference-memory/index.html", "glossary/kv-cache/index.html"):
        html = (built_site / name).read_text(encoding="utf-8")
        policy_at = html.index('<meta http-equiv="Content-Security-Policy"')
        scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)
        hints = re.findall(r'<link rel="preload" as="script" href="([^"]+)">', html[:policy_at])
        assert scripts and sorted(set(scripts)) == sorted(hints), name
