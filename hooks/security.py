"""Content-Security-Policy for every page: scripts, styles, fonts, images and connections from the site only.

Material inlines a few small scripts; each is allowed by its SHA-256 hash, so no
``'unsafe-inline'`` is needed for scripts. WebAssembly (Pyodide) needs
``'wasm-unsafe-eval'``. Styles allow inline ``style`` attributes, which Material
and the calculators' SVG charts use; they cannot run code.
"""

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_NON_JS_TYPE = re.compile(r'type="(?!text/javascript|module)[^"]*"', re.IGNORECASE)
_EXTERNAL_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"[^>]*>', re.IGNORECASE)


def policy(html: str) -> str:
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        if _NON_JS_TYPE.search(attributes) or not body.strip():
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *sorted(set(hashes))])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def add_policy(html: str) -> str:
    """The page with a CSP ``<meta>`` at the start of ``<head>``, after preload hints for the page's scripts.

    Chromium's preload scanner issues no requests for what follows a CSP ``<meta>``, so without the hints the
    scripts at the end of ``<body>`` are fetched one by one as the parser reaches them (measured: the calculators'
    script started ~0.3 s later on a first visit). The hints name only the page's own same-origin scripts.
    """
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    scripts = dict.fromkeys(_EXTERNAL_SCRIPT.findall(html))  # each once, in page order
    hints = "".join(f'<link rel="preload" as="script" href="{src}">' for src in scripts)
    return re.sub(r"<head([^>]*)>", lambda m: f"<head{m.group(1)}>{hints}{meta}", html, count=1)
