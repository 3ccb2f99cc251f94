"""Where the measured GPU records live and how to read them (shared by the benchmark scripts)."""

import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def truth_dir() -> pathlib.Path:
    """``GPU_TRUTH_DIR`` if set, else ``../shared/gpu-truth`` beside the checkout, else the copy in this folder."""
    configured = os.environ.get("GPU_TRUTH_DIR")
    if configured:
        return pathlib.Path(configured)
    shared = ROOT.parent / "shared" / "gpu-truth"
    if any(shared.glob("*.jsonl")):
        return shared
    return ROOT / "validation" / "gpu-truth"


def records(path: pathlib.Path) -> list[dict]:
    """Every JSON object of one JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
