"""Write ``sw.js``: a service worker that precaches every page and asset, versioned by the site's content.

The version is a hash of the built files, so a new build gets a new cache, stored whole before it replaces the
old one; Pyodide's runtime files live in a cache named after the Pyodide version, so a site update does not
download them again. Every cache name carries the site's path, so copies sharing an origin keep to their own.
"""

import hashlib
import json
import pathlib
import re

TEMPLATE = pathlib.Path(__file__).with_name("sw_template.js")
#: Not precached: Pyodide (cached when a widget first needs it). The calculators' wheel is: a restored snapshot never
#: fetches it, but the fresh start that replaces a missing snapshot needs it, offline too. Alias pages are, so that a
#: link through an alias works offline.
_SKIP = re.compile(r"^(assets/pyodide/(?!wheels/)|assets/javascripts/lunr/|sw\.js$|.*\.gz$)")


def precache_urls(site_dir: pathlib.Path) -> list[str]:
    urls = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site_dir).as_posix()
        if _SKIP.match(rel) or rel.endswith((".map", ".woff", ".ttf")):
            continue
        if rel.endswith("index.html"):
            urls.append(f"./{rel[: -len('index.html')]}")
        else:
            urls.append(f"./{rel}")
    return urls


def content_version(site_dir: pathlib.Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(site_dir.rglob("*")):
        if path.is_file() and path.name != "sw.js":
            digest.update(path.relative_to(site_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def write_service_worker(site_dir: pathlib.Path, pyodide_version: str) -> pathlib.Path:
    source = (TEMPLATE.read_text()
              .replace("__VERSION__", content_version(site_dir))
              .replace("__PRECACHE__", json.dumps(precache_urls(site_dir)))
              .replace("__RUNTIME__", f"pyodide-{pyodide_version}"))
    target = site_dir / "sw.js"
    target.write_text(source)
    return target
