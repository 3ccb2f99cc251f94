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
