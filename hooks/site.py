"""The MkDocs hook (the one mkdocs.yml names): glossary pages, the calculator fence and self-hosted runtime files.

Thin glue: the calculators do the computing, ``hooks.glossary`` reads and renders the glossary,
``hooks.markdown`` extends Markdown, ``hooks.runtime`` provides the browser runtime, and
``hooks.build.Build`` holds one build's state. A hook is a module, so the state is one module-level
``Build``: made in ``on_startup`` and again in every ``on_config``, because ``mkdocs serve`` loads
this file once and rebuilds many times. Each event below hands over to the method of the same name.
"""

import importlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

_build = None


def _fresh_build_module():
    """``hooks.build`` and all it imports (``hooks.*``, ``calculators.*``) as on disk now, so ``mkdocs serve``
    prerenders with the code being edited."""
    if str(ROOT) not in sys.path:  # MkDocs restores sys.path after loading a hook, so add it here
        sys.path.insert(0, str(ROOT))
    for name in [n for n in sys.modules if n.partition(".")[0] in ("hooks", "calculators")]:
        del sys.modules[name]
    return importlib.import_module("hooks.build")


def on_startup(command, dirty):
    global _build
    _build = _fresh_build_module().Build(serving=command == "serve")


def on_config(config):
    global _build
    serving = _build is not None and _build.serving
    _build = _fresh_build_module().Build(serving=serving)  # nothing from the previous build carries over
    return _build.on_config(config)


def on_files(files, config):
    return _build.on_files(files, config)


def on_env(env, config, files):
    return _build.on_env(env, config, files)


def on_page_markdown(markdown, page, config, files):
    return _build.on_page_markdown(markdown, page, config, files)


def on_page_content(html, page, config, files):
    return _build.on_page_content(html, page, config, files)


def on_post_page(output, page, config):
    return _build.on_post_page(output, page, config)


def on_post_template(output_content, template_name, config):
    return _build.on_post_template(output_content, template_name, config)


def on_post_build(config):
    _build.on_post_build(config)


def on_serve(server, config, builder):
    return _build.on_serve(server, config, builder)
