"""docs/promises.md states the limits the code enforces, and cites test files that exist."""

import importlib
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "promises.md").read_text(encoding="utf-8")
ROWS = re.findall(r"^\| (.+?) \| (.+?) \| `([\w.]+)` \|$", PAGE, re.MULTILINE)


def shown(value: str) -> float:
    """'1,000,000 characters' -> 1e6; '10<sup>18</sup>' -> 1e18."""
    power = re.match(r"10<sup>(\d+)</sup>", value)
    if power:
        return 10.0 ** int(power.group(1))
    return float(re.match(r"[\d,.]+", value).group(0).replace(",", ""))


def test_the_page_has_a_limits_table():
    assert len(ROWS) >= 12


@pytest.mark.parametrize("row", ROWS, ids=[row[2] for row in ROWS])
def test_each_stated_limit_is_the_constant_in_the_code(row):
    _, value, constant = row
    module, name = constant.rsplit(".", 1)
    assert getattr(importlib.import_module(module), name) == shown(value), f"{constant} is not {value}"


def test_every_cited_test_file_exists():
    cited = set(re.findall(r"`((?:tests|hooks)/[\w/]+\.py)`", PAGE))
    assert cited, "the page cites its tests"
    missing = sorted(path for path in cited if not (ROOT / path).is_file())
    assert not missing


def test_every_cited_test_function_exists():
    checked = 0
    for path, names in re.findall(r"`(tests/[\w/]+\.py)`\s*\(([^)]*)\)", PAGE):
        source = (ROOT / path).read_text(encoding="utf-8")
        for name in re.findall(r"`(test_\w+)`", names):
            assert f"def {name}(" in source, f"{path} has no {name}"
            checked += 1
    assert checked >= 5, "the page names the tests behind its promises"
