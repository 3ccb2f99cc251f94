"""Everything that makes entries linkable from elsewhere, generated from the glossary.

Redirect pages for aliases, title spellings and renamed slugs; embeddable cards;
``/glossary.json`` and ``/llms.txt``; abbreviation tooltips; the "link to this
entry" helpers. Nothing here is maintained by hand.
"""

import datetime
import html
import json
import os
import pathlib
import re
import subprocess

import yaml

from hooks.glossary.entries import Entry, Glossary, GlossaryError

SITE_NAME = "GPU Glossary for LLM Developers"
EMBED_WIDTH_PX, EMBED_HEIGHT_PX = 480, 200
GLOSSARY_JSON_VERSION = 1
#: Redirect pages and cards run no script at all.
STATIC_PAGE_CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'self\'; '
                   'img-src \'self\'; base-uri \'none\'">')
#: Alias pages run one script of the site's own (``javascripts/alias.js``) and nothing else.
ALIAS_PAGE_CSP = STATIC_PAGE_CSP.replace("default-src 'none';",
                                         "default-src 'none'; script-src 'self'; connect-src 'self'; font-src 'self';")


def name_slug(name: str) -> str:
    """URL slug for an alias or title: ``"GPU memory"`` → ``gpu-memory``."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def build_date() -> datetime.date:
    """The build's date; ``SOURCE_DATE_EPOCH`` fixes it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date()
    return datetime.datetime.now(tz=datetime.timezone.utc).date()


def load_renamed(path: pathlib.Path, glossary: Glossary) -> dict[str, str]:
    renamed = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(renamed, dict):
        raise GlossaryError(f"glossary/{path.name}: expected a mapping of old slug to current slug")
    slugs = glossary.by_slug()
    for old, new in renamed.items():
        if new not in slugs:
            raise GlossaryError(f"glossary/{path.name}: '{old}' points at '{new}', which is not an entry")
        if old in slugs:
            raise GlossaryError(f"glossary/{path.name}: '{old}' is still an entry's slug")
    return renamed


def redirect_slugs(glossary: Glossary, renamed: dict[str, str]) -> dict[str, str]:
    """Every extra slug that should lead to an entry: old slugs, then slugs of titles and aliases."""
    slugs = glossary.by_slug()
    targets: dict[str, str] = dict(renamed)
    for entry in glossary.entries:
        for name in entry.names:
            slug = name_slug(name)
            if not slug or slug == entry.slug or slug in slugs:
                continue
            if targets.setdefault(slug, entry.slug) != entry.slug:
                raise GlossaryError(f"glossary/{entry.slug}.md: field 'aliases': '{name}' gives the URL "
                                    f"/glossary/{slug}/, already used by glossary/{targets[slug]}.md")
    return targets


def redirect_page(entry: Entry, site_url: str) -> str:
    """The page at an alias or old slug: ``javascripts/alias.js`` goes to the entry with the query and fragment
    kept (a shared calculation or a section link); without JavaScript the meta refresh goes to the entry."""
    target = f"{site_url}glossary/{entry.slug}/"
    title = html.escape(entry.title)
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + ALIAS_PAGE_CSP +
            f"<title>{title}</title><link rel=\"canonical\" href=\"{html.escape(target)}\">"
            "<meta name=\"robots\" content=\"noindex\">"
            f"<meta name=\"alias-target\" content=\"../{entry.slug}/\">"
            "<script src=\"../../javascripts/alias.js\"></script>"
            f"<meta http-equiv=\"refresh\" content=\"0; url=../{entry.slug}/\"></head>"
            f"<body><p>This term lives at <a href=\"../{entry.slug}/\">{title}</a>.</p></body></html>\n")


def embed_page(entry: Entry, site_url: str) -> str:
    url = f"{site_url}glossary/{entry.slug}/"
    esc = html.escape
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + STATIC_PAGE_CSP +
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(entry.title)} · {SITE_NAME}</title>"
            f"<link rel=\"canonical\" href=\"{esc(url)}\"><link rel=\"stylesheet\" href=\"../../assets/embed.css\">"
            "<meta name=\"robots\" content=\"noindex\"></head><body>"
            f"<article class=\"card\"><p class=\"site\">{SITE_NAME}</p>"
            f"<h1><a href=\"{esc(url)}\" target=\"_blank\" rel=\"noopener\">{esc(entry.title)}</a></h1>"
            f"<p class=\"summary\">{esc(entry.summary)}</p>"
            f"<p class=\"more\"><a href=\"{esc(url)}\" target=\"_blank\" rel=\"noopener\">Read the entry →</a></p>"
            "</article></body></html>\n")


def embed_snippet(entry: Entry, site_url: str) -> str:
    return (f'<iframe src="{site_url}embed/{entry.slug}/" width="{EMBED_WIDTH_PX}" height="{EMBED_HEIGHT_PX}" '
            f'title="{html.escape(entry.title)} ({SITE_NAME})" loading="lazy" style="border:0"></iframe>')


def commit_dates(root: pathlib.Path, *folders: str) -> dict[str, str]:
    """Date of the last commit that touched each file under ``folders``, by path from the repository root (empty
    outside a git checkout). Pages carry these rather than the build's date, so a rebuild on another day changes
    only what changed."""
    try:
        log = subprocess.run(["git", "log", "--format=%x00%cs", "--name-only", "--", *folders], cwd=root,
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, str] = {}
    for block in log.split("\x00")[1:]:
        date, *names = block.strip().splitlines()
        for name in names:
            dates.setdefault(name, date)
    return dates


def last_updated(root: pathlib.Path) -> dict[str, str]:
    """Date of the last commit that touched each glossary file, by slug."""
    return {pathlib.PurePosixPath(name).stem: date for name, date in commit_dates(root, "glossary").items()}


def glossary_json(glossary: Glossary, site_url: str, updated: dict[str, str]) -> str:
    entries = [{
        "slug": entry.slug,
        "title": entry.title,
        "aliases": list(entry.aliases),
        "abbreviation": entry.abbreviation,
        "section": entry.section,
        "summary": entry.summary,
        "url": f"{site_url}glossary/{entry.slug}/",
        "related": list(entry.related),
        "sources": [{"title": s.title or None, "url": s.url} for s in entry.sources],
        "last_updated": updated.get(entry.slug),
    } for entry in glossary.entries]
    sections = [{"id": s.id, "title": s.title, "url": f"{site_url}glossary/sections/{s.id}/"} for s in glossary.sections]
    document = {"version": GLOSSARY_JSON_VERSION, "name": SITE_NAME, "url": site_url,
                "schema": f"{site_url}glossary.schema.json", "sections": sections, "entries": entries}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def llms_txt(glossary: Glossary, site_url: str) -> str:
    lines = [f"# {SITE_NAME}", "",
             "> GPU internals and LLM memory and performance concepts, one entry per term, with calculators for "
             "memory, speed and GPU choice. Every entry has a permanent URL.", "",
             f"Machine-readable index: {site_url}glossary.json", ""]
    for section in glossary.sections:
        entries = glossary.in_section(section.id)
        if not entries:
            continue
        lines += [f"## {section.title}", ""]
        lines += [f"- [{e.title}]({site_url}glossary/{e.slug}/): {e.summary}" for e in entries]
        lines.append("")
    return "\n".join(lines)


def abbreviations(glossary: Glossary) -> str:
    """Markdown abbreviation definitions (``*[HBM]: ...``) appended to every page for tooltips."""
    lines = []
    for entry in glossary.entries:
        if entry.abbreviation and entry.abbreviation != entry.title:
            text = f"{entry.title}: {entry.summary}".replace("\n", " ")
            lines.append(f"*[{entry.abbreviation}]: {text}")
    return "\n" + "\n".join(lines) + "\n"


def link_helpers(entry: Entry, site_url: str, updated: str) -> str:
    """The "Link to this entry" block at the end of each entry page; the citation names the entry's version by
    the date it was last ``updated`` (not the build's date, which would change every page on every rebuild)."""
    url = f"{site_url}glossary/{entry.slug}/"
    bibtex = (f"@misc{{gpuglossary:{entry.slug},\n  title = {{{entry.title}}},\n"
              f"  howpublished = {{\\url{{{url}}}}},\n  note = {{{SITE_NAME}, updated {updated}}}\n}}")
    blocks = [
        ("URL", "text", url),
        ("Markdown", "markdown", f"[{entry.title}]({url})"),
        ("HTML", "html", f'<a href="{url}">{html.escape(entry.title)}</a>'),
        ("Citation", "text", f'"{entry.title}." {SITE_NAME}, updated {updated}. {url}'),
        ("BibTeX", "bibtex", bibtex),
        (f"Embeddable card ({EMBED_WIDTH_PX} × {EMBED_HEIGHT_PX} px, preview: <{site_url}embed/{entry.slug}/>)",
         "html", embed_snippet(entry, site_url)),
    ]
    out = ['\n??? link "Link to this entry"\n', "    This address will not change. Copy any of these:\n"]
    for label, language, text in blocks:
        out.append(f"    **{label}**\n")
        out.append(f"    ``` {language}")
        out += [f"    {line}" for line in text.splitlines()]
        out.append("    ```\n")
    return "\n".join(out) + "\n"
