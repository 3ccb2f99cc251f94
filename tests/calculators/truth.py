"""Measured GPU records for the tests: the reference folder (shared, or the vendored copy) and this
project's own measurements; the same files the benchmark scripts read (validation/truth.py)."""

import json

from validation.truth import ROOT, truth_dir, truth_files  # noqa: F401  (re-exported for the tests)

VENDORED = ROOT / "validation" / "gpu-truth"


def records(*kinds: str) -> list[dict]:
    """Every record of the given kinds in every measurement file."""
    out = []
    for path in truth_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if not kinds or record.get("kind") in kinds:
                    out.append(record)
    return out
