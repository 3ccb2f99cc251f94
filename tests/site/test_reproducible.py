"""Two builds of the same commit are identical, and the wheel the site serves is the one built from it."""

import hashlib
import json

from hooks.runtime import wheel
from tests.conftest import build_site

#: Two days: a rebuild on another day changes nothing (pages carry their sources' commit dates, not the build's).
BUILD_DATES = ("1767225600", "1767398400")  # 2026-01-01, 2026-01-03


def _files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_on_different_days_are_identical(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    for site, date in zip((first, second), BUILD_DATES):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", date)
        result = build_site(site, "http://127.0.0.1:8000/")
        assert result.returncode == 0, result.stderr
    a, b = _files(first), _files(second)
    assert a.keys() == b.keys()
    different = sorted(name for name in a if a[name] != b[name])
    assert different == []


def test_served_wheel_is_built_from_this_checkout(built_site):
    runtime = json.loads((built_site / "assets" / "pyodide" / "runtime.json").read_text())
    served = (built_site / "assets" / "pyodide" / runtime["wheel"]).read_bytes()
    assert hashlib.sha256(served).hexdigest() == runtime["wheel_sha256"]
    assert runtime["source_sha256"] == wheel.source_digest()
    if runtime["lock_file"]:
        lock = json.loads((built_site / "assets" / "pyodide" / runtime["lock_file"]).read_text())
        entry = lock["packages"]["calculators"]
        assert entry["sha256"] == runtime["wheel_sha256"] and entry["file_name"] == runtime["wheel"]


def test_wheel_build_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(wheel, "OUT_DIR", tmp_path / "one")
    first = wheel.build(wheel.source_digest(), log=lambda message: None)
    monkeypatch.setattr(wheel, "OUT_DIR", tmp_path / "two")
    second = wheel.build(wheel.source_digest(), log=lambda message: None)
    assert first["wheel_sha256"] == second["wheel_sha256"]
    assert (tmp_path / "one" / first["wheel"]).read_bytes() == (tmp_path / "two" / second["wheel"]).read_bytes()
    # The Python snapshot (made by Node at build time) is the same bytes too: fixed clocks, entropy and hash seed.
    assert first["snapshot"] and first["snapshot"] == second["snapshot"]
    assert (tmp_path / "one" / first["snapshot"]).read_bytes() == (tmp_path / "two" / second["snapshot"]).read_bytes()
