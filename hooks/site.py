"""The MkDocs hook: glossary pages, the calculator fence and self-hosted runtime files.

Thin glue: the calculators do the computing, ``hooks.glossary`` reads and renders
the glossary, ``hooks.markdown`` extends Markdown, ``hooks.runtime`` provides the browser runtime.
"""

import logging
import pathlib
import re
import sys

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent

log = logging.getLogger("mkdocs.hooks.site")
_state: dict = {}


def _fresh_imports():
    """Re-import the calculators so ``mkdocs serve`` prerenders with the code on disk."""
    if str(ROOT) not in sys.path:  # MkDocs restores sys.path after loading a hook, so add it here
        sys.path.insert(0, str(ROOT))
    for name in [n for n in sys.modules if n == "calculators" or n.startswith("calculators.")]:
        del sys.modules[name]
    import importlib

    from hooks import security
    from hooks.glossary import entries as glossary_entries, linking, pages as glossary_pages
    from hooks.markdown import calculator_fence, catalog_figures, diagrams
    from hooks.runtime import offline, pyodide_assets, wheel
    for module in (glossary_entries, glossary_pages, calculator_fence, catalog_figures, diagrams, linking, offline,
                   pyodide_assets, security, wheel):
        importlib.reload(module)
    _state.update(figures=catalog_figures, linking=linking, security=security, offline=offline, diagrams=diagrams)
    return glossary_entries, glossary_pages, calculator_fence, pyodide_assets, wheel


def on_config(config):
    glossary_entries, glossary_pages, calculator_fence, pyodide_assets, wheel = _fresh_imports()
    linking = _state["linking"]
    try:
        glossary = glossary_entries.load(ROOT / "glossary")
        renamed = linking.load_renamed(ROOT / "glossary" / "_renamed.yml", glossary)
        _state["redirects"] = linking.redirect_slugs(glossary, renamed)
    except glossary_entries.GlossaryError as error:
        raise PluginError(f"Glossary: {error}") from None
    _state["abbreviations"] = linking.abbreviations(glossary)
    _state.update(glossary=glossary, pages=glossary_pages, fence=calculator_fence, assets=pyodide_assets)
    _state["runtime"] = wheel.ensure(log=log.info)
    config.nav = _expand_nav(config.nav or [], glossary_pages.nav_items(glossary))
    calculator_fence.register(config, _state["runtime"])
    return config


def _expand_nav(nav: list, glossary_items: list) -> list:
    """Replace the ``Glossary`` placeholder in mkdocs.yml's nav with the generated tree."""
    expanded = []
    for item in nav:
        if isinstance(item, dict) and "Glossary" in item:
            expanded.append({"Glossary": glossary_items})
        else:
            expanded.append(item)
    return expanded


def on_files(files, config):
    glossary, linking, site_url = _state["glossary"], _state["linking"], config.site_url
    today = linking.build_date()
    pages = _state["pages"].generate(glossary)
    for entry in glossary.entries:
        pages[f"glossary/{entry.slug}.md"] += linking.link_helpers(entry, site_url, today)
        pages[f"embed/{entry.slug}/index.html"] = linking.embed_page(entry, site_url)
    by_slug = glossary.by_slug()
    for slug, target in _state["redirects"].items():
        pages[f"glossary/{slug}/index.html"] = linking.redirect_page(by_slug[target], site_url)
    pages["glossary.json"] = linking.glossary_json(glossary, site_url, linking.last_updated(ROOT))
    pages["llms.txt"] = linking.llms_txt(glossary, site_url)
    for src_uri, content in pages.items():
        files.append(File.generated(config, src_uri, content=content))
    _state["assets"].add(files, config, _state["runtime"])
    return files


def on_env(env, config, files):
    """Expose the theme's script path to overrides/main.html, which starts it late on calculator pages."""
    source = env.loader.get_source(env, "base.html")[0]
    found = re.findall(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js", source)
    if len(set(found)) != 1:
        raise PluginError("overrides/main.html: cannot find the theme's script in its base.html")
    env.globals["theme_bundle"] = found[0]
    return env


def on_page_markdown(markdown, page, config, files):
    _state["fence"].begin_page(page.file.src_uri)
    markdown, errors = _state["figures"].replace(markdown)
    if errors:
        raise PluginError(f"{page.file.src_uri}: catalog figure: " + "; ".join(errors))
    markdown, _state["page_diagrams"] = _state["diagrams"].extract(markdown)
    return markdown + _state["abbreviations"]


def on_page_content(html, page, config, files):
    errors = _state["fence"].page_errors()
    if errors:
        raise PluginError(f"{page.file.src_uri}: " + "; ".join(errors))
    page.meta["calculator_widgets"] = _state["fence"].page_widget_count()  # read by overrides/main.html
    try:
        return _state["diagrams"].insert(html, _state["page_diagrams"], ROOT)
    except FileNotFoundError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None


def on_post_page(output, page, config):
    return _state["security"].add_policy(output)


def on_post_template(output_content, template_name, config):
    """Theme pages rendered outside the page loop (404.html) get the same policy."""
    if template_name.endswith(".html"):
        return _state["security"].add_policy(output_content)
    return output_content


def on_post_build(config):
    import json
    version = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())["version"]
    redirect_dirs = {f"glossary/{slug}" for slug in _state["redirects"]}
    _state["offline"].write_service_worker(pathlib.Path(config.site_dir), redirect_dirs, version)


def on_serve(server, config, builder):
    for folder in ("glossary", "calculators", "hooks"):
        server.watch(str(ROOT / folder))
    return server
