"""Front-matter validation and page generation of the glossary pipeline."""

import pathlib
import shutil

import pytest

from hooks.glossary import entries as glossary_entries
from hooks.glossary import pages as glossary_pages
from hooks.glossary.entries import GlossaryError
from tests.conftest import ROOT

SECTIONS = "- id: device-hardware\n  title: Device hardware\n  description: Chips.\n"


def entry(slug="alpha", **overrides):
    fields = {
        "title": "Alpha",
        "aliases": "[first letter]",
        "section": "device-hardware",
        "summary": "The first test entry.",
        "related": "[]",
        "sources": "[https://example.org/alpha]",
    }
    fields.update(overrides)
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return slug, "---\n" + "\n".join(lines) + "\n---\n\nBody text.\n"


def make_glossary(tmp_path, *entries) -> pathlib.Path:
    (tmp_path / "_sections.yml").write_text(SECTIONS)
    for slug, text in entries:
        (tmp_path / f"{slug}.md").write_text(text)
    return tmp_path


def test_valid_glossary_loads(tmp_path):
    glossary = glossary_entries.load(make_glossary(tmp_path, entry(), entry("beta", title="Beta", aliases="[]",
                                                                            related="[alpha]", abbreviation="B")))
    assert [e.slug for e in glossary.entries] == ["alpha", "beta"]
    assert glossary.by_slug()["beta"].names == ("Beta", "B")


@pytest.mark.parametrize("field", ["title", "aliases", "section", "summary", "related", "sources"])
def test_missing_field_is_named(tmp_path, field):
    with pytest.raises(GlossaryError, match=rf"glossary/alpha\.md: field '{field}' is missing"):
        glossary_entries.load(make_glossary(tmp_path, entry(**{field: None})))


@pytest.mark.parametrize("overrides, field, problem", [
    ({"section": "gpus"}, "section", "unknown section 'gpus'"),
    ({"related": "[nowhere]"}, "related", "names 'nowhere', which is not an entry"),
    ({"related": "[alpha]"}, "related", "must not list the entry itself"),
    ({"summary": "x" * 199 + "."}, "summary", None),
    ({"summary": "y" * 201 + "."}, "summary", "the limit is 200"),
    ({"summary": "One sentence. Two sentences."}, "summary", "exactly one sentence"),
    ({"summary": 'Says "hi" <b>loudly</b>.'}, "summary", "typographic"),
    ({"sources": "[http://insecure.example.org]"}, "sources", "https"),
    ({"sources": "[]"}, "sources", "non-empty"),
    ({"aliases": "first letter"}, "aliases", "must be a list"),
    ({"colour": "green"}, "colour", "not a known field"),
])
def test_invalid_field_is_named(tmp_path, overrides, field, problem):
    directory = make_glossary(tmp_path, entry(**overrides))
    if problem is None:
        glossary_entries.load(directory)
        return
    with pytest.raises(GlossaryError, match=rf"glossary/alpha\.md: field '{field}'") as raised:
        glossary_entries.load(directory)
    assert problem in str(raised.value)


def test_duplicate_alias_names_both_files(tmp_path):
    directory = make_glossary(tmp_path, entry(), entry("beta", title="Beta", aliases="[First Letter]"))
    with pytest.raises(GlossaryError, match=r"glossary/beta\.md: field 'aliases' has duplicate alias 'First Letter', "
                                            r"already used by glossary/alpha\.md"):
        glossary_entries.load(directory)


def test_alias_may_not_repeat_another_title(tmp_path):
    directory = make_glossary(tmp_path, entry(), entry("beta", title="Beta", aliases="[alpha]"))
    with pytest.raises(GlossaryError, match="duplicate alias 'alpha'"):
        glossary_entries.load(directory)


@pytest.mark.parametrize("slug", ["Alpha", "alpha_beta", "index", "sections"])
def test_bad_or_reserved_slug(tmp_path, slug):
    with pytest.raises(GlossaryError, match="slug"):
        glossary_entries.load(make_glossary(tmp_path, entry(slug)))


def test_generated_pages(tmp_path):
    glossary = glossary_entries.load(make_glossary(
        tmp_path, entry(), entry("beta", title="Beta", aliases="[]", related="[alpha]", abbreviation="B")))
    pages = glossary_pages.generate(glossary)
    assert set(pages) == {"glossary/index.md", "glossary/sections/device-hardware.md",
                          "glossary/alpha.md", "glossary/beta.md"}
    beta = pages["glossary/beta.md"]
    assert "# Beta (B)" in beta and "- [Alpha](alpha.md): The first test entry." in beta
    assert "1. [https://example.org/alpha](https://example.org/alpha)" in pages["glossary/alpha.md"]
    index = pages["glossary/index.md"]
    assert "- first letter: see [Alpha](alpha.md)" in index  # aliases are listed A–Z too
    assert index.index("## A") < index.index("## B") < index.index("## F")
    nav = glossary_pages.nav_items(glossary)
    assert nav[1] == {"Device hardware": [{"Overview": "glossary/sections/device-hardware.md"},
                                          {"Alpha": "glossary/alpha.md"}, {"Beta": "glossary/beta.md"}]}


def test_strict_build_fails_naming_file_and_field(tmp_path):
    """A broken entry stops `mkdocs build --strict` with the file and field in the message."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "node_modules", "site", "build", ".pytest_cache", "__pycache__"))
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.rmtree(project / "glossary")  # not an ignore pattern: that would drop hooks/glossary/ too
    shutil.copytree(ROOT / "glossary", project / "glossary", ignore=shutil.ignore_patterns("*.md"))
    for name in ("vram", "hbm", "kv-cache", "tensor-core", "streaming-multiprocessor"):
        shutil.copy(ROOT / "glossary" / f"{name}.md", project / "glossary")
    text = (project / "glossary" / "hbm.md").read_text()
    (project / "glossary" / "hbm.md").write_text(text.replace("section: device-hardware\n", ""))
    import os
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")],
                            cwd=project, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode != 0
    assert "glossary/hbm.md: field 'section' is missing" in result.stdout + result.stderr
