"""What one MkDocs build knows and does, on one object: :class:`Build`, driven by ``hooks/site.py``.

Material's plugins keep their state on ``self`` (``BlogPlugin.on_startup`` sets ``self.is_serve``); a hook is a
module, so ``hooks/site.py`` keeps one ``Build`` and makes a fresh one for every build, and each of its event
functions calls the method of the same name here.
"""

import logging
import pathlib

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from hooks import security
from hooks.glossary import entries, linking, pages, rules
from hooks.markdown import catalog_figures, diagrams
from hooks.markdown.calculator_fence import Fence
from hooks.runtime import offline, paths, pyodide_assets, wheel

ROOT = paths.ROOT
WIDGET_MARKUP = '<div class="calc-widget" '
log = logging.getLogger("mkdocs.hooks.site")


class Build:
    """One build: the glossary and its redirects, the browser runtime, and each page's diagrams between two events.

    ``serving`` is true under ``mkdocs serve`` (from ``on_startup``); everything else is read in :meth:`on_config`.
    """

    def __init__(self, *, serving: bool = False):
        self.serving = serving
        self.glossary: entries.Glossary | None = None
        self.redirects: dict[str, str] = {}
        self.updated: dict[str, str] = {}
        self.abbreviations = ""
        self.runtime: dict = {}
        #: Diagram paths of each page, from its Markdown (tokens in place of snippets) to its HTML.
        self.page_diagrams: dict[str, list[str]] = {}

    def on_config(self, config):
        try:
            self.glossary = entries.load(ROOT / "glossary")
            renamed = linking.load_renamed(ROOT / "glossary" / "_renamed.yml", self.glossary)
            self.redirects = linking.redirect_slugs(self.glossary, renamed)
        except entries.GlossaryError as error:
            raise PluginError(f"Glossary: {error}") from None
        self.check_bodies()
        self.abbreviations = linking.abbreviations(self.glossary)
        self.runtime = wheel.ensure(log=log.info)
        config.nav = _expand_nav(config.nav or [], pages.nav_items(self.glossary))
        Fence(self.runtime).register(config)
        config.copyright = built_from()
        return config

    def check_bodies(self) -> None:
        """Log every body rule an entry breaks (``hooks/glossary/rules.py``).

        At WARNING under ``mkdocs serve``, where no test runs and the author is writing: mkdocs.yml's ``strict``
        then stops that rebuild with the message, as it does for a broken link, and the previous build stays
        served. At INFO under ``mkdocs build``: tests/glossary/test_content.py already fails on each broken rule
        with the entry named, and a strict build failing too would also fail every test that needs the built site.
        """
        level = logging.WARNING if self.serving else logging.INFO
        slugs = self.glossary.by_slug()
        for entry in self.glossary.entries:
            for problem in rules.problems(entry, slugs):
                log.log(level, f"glossary/{entry.path.name}: {problem}")

    def on_files(self, files, config):
        glossary, site_url = self.glossary, config.site_url
        today = linking.build_date().isoformat()
        self.updated = linking.commit_dates(ROOT, "glossary", "docs")
        generated = pages.generate(glossary)
        for entry in glossary.entries:
            updated = self.updated.get(f"glossary/{entry.slug}.md", today)
            generated[f"glossary/{entry.slug}.md"] += linking.link_helpers(entry, site_url, updated)
            generated[f"embed/{entry.slug}/index.html"] = linking.embed_page(entry, site_url)
        by_slug = glossary.by_slug()
        for slug, target in self.redirects.items():
            generated[f"glossary/{slug}/index.html"] = linking.redirect_page(by_slug[target], site_url)
        generated["glossary.json"] = linking.glossary_json(glossary, site_url, linking.last_updated(ROOT))
        generated["llms.txt"] = linking.llms_txt(glossary, site_url)
        for src_uri, content in generated.items():
            files.append(File.generated(config, src_uri, content=content))
        pyodide_assets.add(files, config, self.runtime)
        return files

    def on_env(self, env, config, files):
        """Expose the theme's script path to overrides/main.html, which starts it late on calculator pages."""
        env.globals["theme_bundle"] = theme_bundle(config.theme.dirs)
        return env

    def on_page_markdown(self, markdown, page, config, files):
        source = page.file.src_uri
        # the sitemap's lastmod: the source's last commit, not the build's date; a generated page (the glossary's
        # index and sections) is as new as the newest file it is made from
        updated = self.updated.get(source if source.startswith("glossary/") else f"docs/{source}") or max(
            self.updated.values(), default=None)
        if updated:
            page.update_date = updated
        markdown, errors = catalog_figures.replace(markdown)
        if errors:
            raise PluginError(f"{page.file.src_uri}: catalog figure: " + "; ".join(errors))
        markdown, self.page_diagrams[page.file.src_uri] = diagrams.extract(markdown)
        return markdown + self.abbreviations

    def on_page_content(self, html, page, config, files):
        page.meta["calculator_widgets"] = html.count(WIDGET_MARKUP)  # read by overrides/main.html
        try:
            return diagrams.insert(html, self.page_diagrams.pop(page.file.src_uri), ROOT)
        except FileNotFoundError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None

    def on_post_page(self, output, page, config):
        return security.add_policy(output)

    def on_post_template(self, output_content, template_name, config):
        """Theme pages rendered outside the page loop (404.html) get the same policy."""
        if template_name.endswith(".html"):
            return security.add_policy(output_content)
        return output_content

    def on_post_build(self, config):
        offline.write_service_worker(pathlib.Path(config.site_dir), paths.pyodide_version())

    def on_serve(self, server, config, builder):
        for folder in ("glossary", "calculators", "hooks"):
            server.watch(str(ROOT / folder))
        return server


def _expand_nav(nav: list, glossary_items: list) -> list:
    """Replace the ``Glossary`` placeholder in mkdocs.yml's nav with the generated tree."""
    expanded = []
    for item in nav:
        if isinstance(item, dict) and "Glossary" in item:
            expanded.append({"Glossary": glossary_items})
        else:
            expanded.append(item)
    return expanded


def theme_bundle(theme_dirs: list[str]) -> str:
    """The theme's one script bundle (``assets/javascripts/bundle.<hash>.min.js``), found among the theme's files."""
    found = sorted({path.relative_to(directory).as_posix() for directory in map(pathlib.Path, theme_dirs)
                    for path in directory.glob("assets/javascripts/bundle.*.min.js")})
    if len(found) != 1:
        raise PluginError("overrides/main.html needs the theme's script bundle, assets/javascripts/bundle.*.min.js, "
                          f"once among the theme's folders {theme_dirs}; found {found or 'none'}")
    return found[0]


def built_from() -> str:
    """The footer line: which version of the calculators this build runs (the same as ``gpu-glossary --version``)."""
    import calculators  # fresh: site.py re-imports the calculators before every build

    return f"Calculators version {calculators.__version__} (gpu-glossary {calculators.__version__} on the command line)"
