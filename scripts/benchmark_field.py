"""Accuracy of the runtime models against public runtime logs (the field-truth JSONL records).

Every record is handed to ``calculators.scenarios.run`` without what was measured (as ``python -m calculators
estimate --json`` gets it); each predicted key is compared with the measured one: error = (predicted - measured)
/ measured. Records whose setup the calculators cannot express are refused, with the field, and counted.
Two baselines are shown beside the model: for the GPU memory of a llama.cpp run, "twice the weights"; for
tokens/s, bandwidth only (the GPU's spec bandwidth over the weight bytes read per token, for prefill too).

Usage:  python scripts/benchmark_field.py           # prints the table
        python scripts/benchmark_field.py --write   # writes docs/methodology/_generated/field-validation.md
Files: $FIELD_TRUTH_DIR, else ../shared/field-truth beside the repository, else validation/field-truth; --write
always reads validation/field-truth, the records this repository carries.
"""

import collections
import hashlib
import pathlib
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calculators import scenarios  # noqa: E402
from calculators.catalogs import gpus, models  # noqa: E402
from calculators.core.errors import CalculatorError  # noqa: E402
from calculators.core.units import MIB  # noqa: E402
from calculators.memory.weights import weight_bytes  # noqa: E402
from validation.truth import field_truth_files, records, without_answers  # noqa: E402

GPU_MEMORY_KEYS = ("weights_gpu_mib", "kv_mib", "compute_gpu_mib")
#: The table the memory methodology page includes (``--write``), from the records vendored in validation/.
GENERATED = ROOT / "docs" / "methodology" / "_generated" / "field-validation.md"


def relative(predicted: float, measured: float) -> float:
    return (predicted - measured) / measured


def baselines(record: dict) -> dict[str, float]:
    """The rules of thumb for the same record, as (key, relative error)."""
    out = {}
    try:
        _, arch = models.resolve(record.get("model"), record.get("config"))
        weights = weight_bytes(arch, record["weight_format"]).total_bytes
    except (CalculatorError, KeyError, TypeError):
        return out
    measured = record["measured"]
    if record["kind"] == "runtime_memory" and all(measured.get(k) for k in GPU_MEMORY_KEYS):
        out["gpu_total_mib (weights x 2)"] = relative(2 * weights / MIB, sum(measured[k] for k in GPU_MEMORY_KEYS))
    if record["kind"] == "runtime_speed" and record.get("gpu") and measured.get("tokens_per_s"):
        gpu = gpus.get(record["gpu"])
        bandwidth_only = gpu.memory_bandwidth_bytes_per_s / (arch.active_params / arch.n_params * weights)
        out[f"tokens_per_s {record['test'][:2]} (bandwidth only)"] = relative(bandwidth_only, measured["tokens_per_s"])
    return out


def report(paths) -> str:
    """The Markdown table and the answered / refused counts, over the records of ``paths``."""
    errors: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    refused: collections.Counter = collections.Counter()
    answered: collections.Counter = collections.Counter()
    for path in paths:
        for record in records(path):
            runtime = record["runtime"]
            for key, error in baselines(record).items():
                errors[(runtime, key)].append(error)
            try:
                predicted = scenarios.run(without_answers(record))["predicted"]
            except CalculatorError as error:
                refused[(runtime, record["kind"], error.field if hasattr(error, "field") else "?")] += 1
                continue
            answered[(runtime, record["kind"])] += 1
            for key, value in predicted.items():
                measured = record["measured"].get(key)
                if measured:
                    test = f" {record['test'][:2]}" if key == "tokens_per_s" else ""
                    errors[(runtime, key + test)].append(relative(value, measured))
    lines = ["| runtime | key | n | median error | max error |", "|---|---|---|---|---|"]
    for (runtime, key), values in sorted(errors.items()):
        size = [abs(v) for v in values]
        lines.append(f"| {runtime} | {key} | {len(values)} | {statistics.median(size):.1%} | {max(size):.1%} |")
    lines += ["", "Answered: " + ", ".join(f"{r} {k}: {n}" for (r, k), n in sorted(answered.items())),
              "", "Refused (field): " + ", ".join(f"{r} {k} ({f}): {n}" for (r, k, f), n in sorted(refused.items()))]
    return "\n".join(lines) + "\n"


def vendored_files() -> list[pathlib.Path]:
    """The records this repository carries (validation/field-truth): what the methodology page is built from."""
    return sorted((ROOT / "validation" / "field-truth").glob("*.jsonl"))


def main(argv) -> int:
    if "--write" in argv:
        inputs = " ".join(f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()[:12]}" for p in vendored_files())
        GENERATED.write_text(f"<!-- inputs: {inputs} -->\n" + report(vendored_files()), encoding="utf-8")
        print(f"wrote {GENERATED.relative_to(ROOT)}")
        return 0
    print(report(field_truth_files()), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
