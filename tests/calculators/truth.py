"""Reference measurements (gpu-truth JSONL files) for the tests: shared folder first, vendored copy otherwise."""

import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENDORED = ROOT / "validation" / "gpu-truth"


def truth_dir() -> pathlib.Path:
    configured = os.environ.get("GPU_TRUTH_DIR")
    if configured:
        return pathlib.Path(configured)
    shared = ROOT.parent / "shared" / "gpu-truth"
    return shared if any(shared.glob("*.jsonl")) else VENDORED


def records(*kinds: str) -> list[dict]:
    """Every record of the given kinds in every *.jsonl file."""
    out = []
    for path in sorted(truth_dir().glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if not kinds or record.get("kind") in kinds:
                    out.append(record)
    return out
