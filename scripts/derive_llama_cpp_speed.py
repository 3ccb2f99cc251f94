"""Derive the per-backend constants of llama.cpp's speed model from the field records' llama-bench rows.

Decode (``tg``): seconds per token = (weight and KV bytes read) / (fraction x spec bandwidth) + layers x time per
layer. The fraction is the measured copy fraction of calculators/data/efficiency.json (the best a streaming kernel
reaches); the time per layer, one per backend, is the least-squares fit (relative error) over its rows.
Prefill (``pp``): the achieved matmul FLOP/s over the kernel path's peak, median over the backend's rows, per path
(f16/bf16 GEMM or the quantized kernels). Prints the JSON to put under ``llama_cpp.speed.backends`` in
calculators/data/runtimes.json.

Usage:  python scripts/derive_llama_cpp_speed.py [--check]
"""

import json
import pathlib
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calculators.catalogs import gpus, models  # noqa: E402
from calculators.speed import efficiency, llama_cpp  # noqa: E402
from validation.truth import field_truth_files, records  # noqa: E402

#: Kernel-path peaks by backend: which spec figure a path's FLOP/s are a fraction of.
MATMUL_PEAK_FORMAT = {
    "CUDA": {"float": "fp16", "quantized": "int8"},
    "ROCm": {"float": "fp16", "quantized": "fp16"},
    "Metal": {"float": "fp16", "quantized": "fp16"},
}


def rows(backend: str, test: str) -> list[dict]:
    out = []
    for path in field_truth_files():
        for r in records(path):
            if (r["kind"] == "runtime_speed" and r.get("backend") == backend and str(r.get("test", "")).startswith(test)
                    and r.get("weight_format") and (r.get("gpu_count") or 1) == 1
                    and not (r.get("llama_cpp") or {}).get("override_tensor")):
                gpu = gpus.get(r["gpu"]) if r.get("gpu") else gpus.match_device_name(r.get("gpu_name") or "")
                if gpu is not None:  # a device the catalog knows, by id or by the name the log printed
                    out.append({**r, "gpu": gpu.id})
    return out


def decode_terms(record: dict) -> tuple[float, float, float]:
    """(bytes / spec bandwidth, layers, measured seconds per token) of one tg row."""
    _, arch = models.resolve(record.get("model"), record.get("config"))
    gpu = gpus.get(record["gpu"])
    reads, placed = llama_cpp._placed_reads(arch, record["weight_format"], llama_cpp.Placement(), 1)
    context = (record.get("depth_tokens") or 0) + record["generated_tokens"] / 2
    kv = sum(layer.attended_tokens(round(context)) * layer.values_per_token(latent=True) * 2
             for layer in arch.attention)
    return (sum(reads.values()) + kv) / gpu.memory_bandwidth_bytes_per_s, arch.num_layers, \
        1 / record["measured"]["tokens_per_s"]


def fit_decode(backend: str, bandwidth_fraction: float) -> dict:
    """The time per layer of one backend, with the bandwidth fraction measured apart (efficiency.json's copy
    fraction): least squares of the relative error, t_model / t = (x / f + L b) / t."""
    terms = [decode_terms(r) for r in rows(backend, "tg")]
    # minimise sum((x / (f t) + b L / t - 1)^2) over b
    numerator = sum((1 - x / (bandwidth_fraction * t)) * n / t for x, n, t in terms)
    denominator = sum((n / t) ** 2 for _, n, t in terms)
    return {"decode_bandwidth_fraction": bandwidth_fraction, "decode_layer_seconds": round(numerator / denominator, 8),
            "decode_rows": len(terms)}


def fit_prefill(backend: str, peak_format: dict) -> dict:
    fractions: dict[str, list[float]] = {"float": [], "quantized": []}
    for r in rows(backend, "pp"):
        if r.get("depth_tokens"):
            continue
        _, arch = models.resolve(r.get("model"), r.get("config"))
        gpu = gpus.get(r["gpu"])
        path = "float" if r["weight_format"] in llama_cpp.FLOAT_FORMATS else "quantized"
        peak = gpu.peak_flops_per_s(peak_format[path])
        if peak is None:
            continue
        share = arch.experts_per_token / arch.num_experts if arch.num_experts else 1.0
        active = sum(g.params * (share if g.role == "expert" else 1.0) for g in arch.linear_groups)
        fractions[path].append(2 * active * r["measured"]["tokens_per_s"] / peak)
    out = {path: round(statistics.median(values), 4) for path, values in fractions.items() if values}
    return {"prefill_matmul_fraction": out, "prefill_rows": {p: len(v) for p, v in fractions.items()}}


def derive() -> dict:
    backends = {}
    fraction = round(efficiency.default().memory_bandwidth_fraction, 4)
    for backend, peak_format in MATMUL_PEAK_FORMAT.items():
        entry = {"matmul_peak_format": peak_format, **fit_decode(backend, fraction), **fit_prefill(backend, peak_format)}
        float_fraction = entry["prefill_matmul_fraction"].get("float")
        entry["prefill_attention_fraction"] = float_fraction or entry["prefill_matmul_fraction"].get("quantized")
        entry["prefill_layer_seconds"] = entry["decode_layer_seconds"]
        backends[backend] = entry
    return backends


if __name__ == "__main__":
    print(json.dumps(derive(), indent=2))
