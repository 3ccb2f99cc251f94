"""What is alive at a case's memory peak, and which line of code allocated it (a CUDA diagnostic).

Runs cases of validation/gpu_cases.py with PyTorch's allocator history on, replays the
allocation trace to the moment of the largest allocated total, and writes one JSON line per
case: the live blocks at that moment grouped by the source line that allocated them (the
innermost frame in transformers, peft or torch.nn/optim code). This is how a memory model's
mechanisms are checked tensor by tensor rather than by the total alone.

Run on a CUDA machine:  python3 validation/peak_inventory.py OUT.jsonl CASE_INDEX...
"""

import collections
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from validation import measure_gpu  # noqa: E402
from validation.gpu_cases import CASES, INVENTORY_CASES  # noqa: E402

SOURCE_MARKERS = ("transformers/", "peft/", "torch/nn/", "torch/optim/", "torch/utils/checkpoint", "measure_gpu")


def source_line(frames: list[dict]) -> str:
    """The two innermost frames in library or protocol code: where the tensor was made, and by whom."""
    found = []
    for frame in frames:
        name = frame.get("filename", "")
        if any(marker in name for marker in SOURCE_MARKERS):
            found.append(f"{name.split('site-packages/')[-1]}:{frame.get('line')}:{frame.get('name')}")
            if len(found) == 2:
                break
    return " < ".join(found) or "other"


def peak_inventory(trace: list[dict]) -> dict:
    """Replay alloc/free events; return the peak total and the live blocks at that moment, by source line."""
    live: dict[int, tuple[int, list]] = {}
    current = peak = peak_index = 0
    for index, event in enumerate(trace):
        action = event.get("action")
        if action == "alloc":
            live[event["addr"]] = (event["size"], event.get("frames", []))
            current += event["size"]
            if current > peak:
                peak, peak_index = current, index
        elif action == "free_requested" and event["addr"] in live:
            current -= live.pop(event["addr"])[0]
    live.clear()
    for event in trace[: peak_index + 1]:
        if event.get("action") == "alloc":
            live[event["addr"]] = (event["size"], event.get("frames", []))
        elif event.get("action") == "free_requested":
            live.pop(event["addr"], None)
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for size, frames in live.values():
        groups[source_line(frames)].append(size)
    rows = sorted(({"source": k, "bytes": sum(v), "count": len(v), "largest": max(v)} for k, v in groups.items()),
                  key=lambda row: -row["bytes"])
    return {"trace_peak_bytes": peak, "events": len(trace), "peak_event": peak_index,
            "peak_allocation_source": source_line(trace[peak_index].get("frames", [])) if trace else None,
            "live_at_peak": rows[:60]}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = pathlib.Path(argv[0])
    indexes = [int(a) for a in argv[1:]] or list(INVENTORY_CASES)
    run = measure_gpu.Run(out.with_suffix(".records.jsonl"), tiny=False, budget_seconds=1e9)
    with out.open("a", encoding="utf-8") as sink:
        for index in indexes:
            case = CASES[index]
            run.release()
            torch.cuda.memory._record_memory_history(max_entries=2_000_000, stacks="python")
            try:
                record = measure_gpu.MEASURE[case["kind"]](run, case)
                snapshot = torch.cuda.memory._snapshot()
                torch.cuda.memory._record_memory_history(enabled=None)
                result = {"case_index": index, "case": case, "baseline_allocated": record["baseline"]["allocated"],
                          **peak_inventory(snapshot["device_traces"][0])}
            except Exception as error:  # record and go on to the next case
                torch.cuda.memory._record_memory_history(enabled=None)
                result = {"case_index": index, "case": case, "error": repr(error)[:500]}
            sink.write(json.dumps(result) + "\n")
            sink.flush()
            print(json.dumps({k: v for k, v in result.items() if k != "live_at_peak"}), flush=True)
            run.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
