"""Where the measured GPU records live and how to read them (shared by the benchmark scripts)."""

import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: This project's own measurements (protocol: validation/measure_gpu.py; see the README there).
MEASURED = ROOT / "validation" / "measured"


def truth_dir() -> pathlib.Path:
    """``GPU_TRUTH_DIR`` if set, else ``../shared/gpu-truth`` beside the checkout, else the copy in this folder."""
    configured = os.environ.get("GPU_TRUTH_DIR")
    if configured:
        return pathlib.Path(configured)
    shared = ROOT.parent / "shared" / "gpu-truth"
    if any(shared.glob("*.jsonl")):
        return shared
    return ROOT / "validation" / "gpu-truth"


def truth_files() -> list[pathlib.Path]:
    """Every measurement file the calculators are checked against: the reference folder's and,
    unless ``GPU_TRUTH_DIR`` names another folder, this project's own measurements."""
    files = sorted(truth_dir().glob("*.jsonl"))
    if not os.environ.get("GPU_TRUTH_DIR"):
        files += sorted(MEASURED.glob("*.jsonl"))
    return files


def records(path: pathlib.Path) -> list[dict]:
    """Every JSON object of one JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def field_truth_files() -> list[pathlib.Path]:
    """The public runtime records (llama.cpp, ik_llama.cpp, vLLM logs and llama-bench rows): ``FIELD_TRUTH_DIR`` if
    set (only that folder), else ``../shared/field-truth`` beside the checkout (or its copy in this folder) plus the
    records this project gathered itself (``validation/field-truth/gathered*.jsonl``)."""
    configured = os.environ.get("FIELD_TRUTH_DIR")
    if configured:
        return sorted(pathlib.Path(configured).glob("*.jsonl"))
    own = ROOT / "validation" / "field-truth"
    folder = ROOT.parent / "shared" / "field-truth"
    if not any(folder.glob("*.jsonl")):
        folder = own
    shared = sorted(p for p in folder.glob("*.jsonl") if not p.name.startswith("gathered"))
    return shared + sorted(own.glob("gathered*.jsonl"))


def without_answers(record: dict) -> dict:
    """A field record as the calculators are given it: everything but what was measured and where it was read."""
    return {key: value for key, value in record.items() if key not in ("measured", "quote", "source")}
