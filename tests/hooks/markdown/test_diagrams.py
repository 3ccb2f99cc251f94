"""Diagrams are inlined after Markdown, so no Markdown feature can alter them."""

import markdown
import pytest

from hooks.markdown import diagrams


def test_diagram_survives_markdown_and_abbreviations(tmp_path):
    (tmp_path / "docs" / "diagrams").mkdir(parents=True)
    svg = '<svg role="img"><title>T</title>\n\n<text>SM and HBM</text></svg>'
    (tmp_path / "docs" / "diagrams" / "d.svg").write_text(svg)
    source = 'Text about SM.\n\n--8<-- "docs/diagrams/d.svg"\n\n*[SM]: Streaming multiprocessor\n'
    with_tokens, paths = diagrams.extract(source)
    assert paths == ["docs/diagrams/d.svg"] and "--8<--" not in with_tokens
    html = diagrams.insert(markdown.markdown(with_tokens, extensions=["abbr"]), paths, tmp_path)
    assert svg in html  # untouched, blank line included
    assert '<abbr title="Streaming multiprocessor">SM</abbr>.' in html  # prose still gets its tooltip


def test_missing_diagram_is_an_error(tmp_path):
    with_tokens, paths = diagrams.extract('--8<-- "docs/diagrams/missing.svg"\n')
    with pytest.raises(FileNotFoundError, match="missing.svg"):
        diagrams.insert(with_tokens, paths, tmp_path)
