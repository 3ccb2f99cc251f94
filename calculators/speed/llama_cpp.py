"""llama.cpp's tokens/s: each tensor is read where it lives, at that device's bandwidth, plus a fixed time per layer.

A decode token reads every weight on its device once (for MoE only the experts it routes to) and each layer's KV
cache up to the context; the GPU backends reach a measured fraction of their spec bandwidth and spend a measured
time per layer on launching and synchronising the layer's small kernels. Tensors kept in system RAM (``-ngl``,
``-ot``, ``--n-cpu-moe``) are read there, at the system memory's bandwidth. A prefill (``pp``) does the matmul
FLOPs on the kernel path llama.cpp takes for the format and backend (f16 GEMM, or the quantized matmul kernels),
at a measured fraction of that path's peak; weights kept in system RAM are copied to the GPU once per micro-batch
over the host link (the backend scheduler offloads large-batch ops to the GPU).

The per-backend fractions and times are data (``runtimes.json``, ``llama_cpp.speed``), each with the records it
was measured on.
"""

import dataclasses
import math

from calculators.architectures import Architecture
from calculators.catalogs import formats, gpus
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.memory import placement as placement_settings
from calculators.memory.placement import Placement
from calculators.memory.runtimes.llama_cpp.placement import HOST, layout
from calculators.memory.setup import runtime_data
from calculators.speed.moe import expected_experts_touched

BACKENDS = ("CUDA", "ROCm", "Vulkan", "Metal", "SYCL")
#: The backend llama.cpp builds for each vendor's GPUs by default.
VENDOR_BACKENDS = {"nvidia": "CUDA", "amd": "ROCm", "apple": "Metal"}
#: Formats llama.cpp multiplies as f16/bf16/f32 GEMMs; every other GGUF type takes the quantized kernels.
FLOAT_FORMATS = ("fp16", "bf16", "fp32")


@dataclasses.dataclass(frozen=True)
class LocalSpeed:
    """One llama-bench test: ``tokens_per_s`` and where the time goes."""

    test: str
    tokens: int
    seconds: float
    gpu_read_seconds: float
    host_read_seconds: float
    compute_seconds: float
    transfer_seconds: float
    layer_seconds: float
    compute_known: bool

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def backend_for(gpu) -> str | None:
    """llama.cpp's usual backend for ``gpu`` (CUDA for NVIDIA, ROCm for AMD, Metal for Apple), None otherwise."""
    return VENDOR_BACKENDS.get(gpus.get(gpu).vendor)


def speed_data() -> dict:
    return runtime_data()["llama_cpp"]["speed"]


def backend_data(backend: str) -> dict:
    data = speed_data()["backends"]
    if backend not in data:
        raise InputError("backend", f"no measured llama.cpp speed data for the {backend} backend yet; "
                                    f"known: {', '.join(b for b in data if not b.startswith('_'))}")
    return data[backend]


def _placed_reads(arch: Architecture, weight_format: str, placement: Placement, tokens: int) -> dict:
    """Weight bytes one step over ``tokens`` tokens reads on each device (experts: the ones routed to)."""
    cfg = runtime_data()["llama_cpp"]
    placed = layout(arch, weight_format, placement, cfg["cpu_moe_pattern"])
    touched = 1.0
    if arch.num_experts:
        touched = expected_experts_touched(arch.num_experts, arch.experts_per_token, tokens) / arch.num_experts
    reads: dict = {}
    for device, tensor_bytes in placed.role_bytes.items():
        for role, size in tensor_bytes.items():
            if role == "embedding":
                continue  # get_rows reads one row per token
            reads[device] = reads.get(device, 0.0) + size * (touched if role == "expert" else 1.0)
    return reads, placed


def decode(arch: Architecture, gpu, *, backend: str, weight_format: str, context_tokens: int, generated_tokens: int,
           placement: Placement = Placement(), kv_bytes_per_value: float = 2.0,
           host_bandwidth_gb_per_s: float | None = None) -> LocalSpeed:
    """llama-bench ``tg``: ``generated_tokens`` tokens one at a time on top of ``context_tokens`` already cached."""
    gpu = gpus.get(gpu)
    data = backend_data(backend)
    placement = placement_settings.check(placement, arch.num_layers)
    depth = validate.integer("depth_tokens", context_tokens, minimum=0, maximum=validate.MAX_CONTEXT_TOKENS)
    n = validate.integer("generated_tokens", generated_tokens, minimum=1, maximum=validate.MAX_CONTEXT_TOKENS)
    reads, placed = _placed_reads(arch, weight_format, placement, 1)
    mid_context = depth + n / 2
    for layer, device in zip(arch.attention, placed.layer_devices):
        reads[device] = reads.get(device, 0.0) + layer.attended_tokens(math.ceil(mid_context)) \
            * layer.values_per_token(latent=True) * kv_bytes_per_value
    gpu_bw = gpu.memory_bandwidth_bytes_per_s * data["decode_bandwidth_fraction"]
    gpu_read = sum(v for k, v in reads.items() if k != HOST) / gpu_bw
    host_read = _host_seconds(reads.get(HOST, 0.0), host_bandwidth_gb_per_s, gpu)
    layers = arch.num_layers * data["decode_layer_seconds"]
    per_token = gpu_read + host_read + layers
    return LocalSpeed(test=f"tg{n}", tokens=n, seconds=n * per_token, gpu_read_seconds=n * gpu_read,
                      host_read_seconds=n * host_read, compute_seconds=0.0, transfer_seconds=0.0,
                      layer_seconds=n * layers, compute_known=True)


def prefill(arch: Architecture, gpu, *, backend: str, weight_format: str, prompt_tokens: int, depth_tokens: int = 0,
            n_ubatch: int = 512, placement: Placement = Placement()) -> LocalSpeed:
    """llama-bench ``pp``: ``prompt_tokens`` tokens in micro-batches of ``n_ubatch`` on top of ``depth_tokens``."""
    gpu = gpus.get(gpu)
    data = backend_data(backend)
    placement = placement_settings.check(placement, arch.num_layers)
    prompt = validate.integer("prompt_tokens", prompt_tokens, minimum=1, maximum=validate.MAX_CONTEXT_TOKENS)
    depth = validate.integer("depth_tokens", depth_tokens, minimum=0, maximum=validate.MAX_CONTEXT_TOKENS)
    ubatch = validate.integer("n_ubatch", n_ubatch, minimum=1, maximum=validate.MAX_SEQUENCE_TOKENS)
    path = "float" if formats.get(weight_format, field="weight_format").id in FLOAT_FORMATS else "quantized"
    peak = gpu.peak_flops_per_s(data["matmul_peak_format"][path])
    fraction = data["prefill_matmul_fraction"].get(path)
    if peak is None or fraction is None:  # no FLOP/s for the GPU, or no measurement of the backend's kernel path
        return LocalSpeed(test=f"pp{prompt}", tokens=prompt, seconds=0.0, gpu_read_seconds=0.0,
                          host_read_seconds=0.0, compute_seconds=0.0, transfer_seconds=0.0, layer_seconds=0.0,
                          compute_known=False)
    share = arch.experts_per_token / arch.num_experts if arch.num_experts else 1.0
    active = sum(g.params * (share if g.role == "expert" else 1.0) for g in arch.linear_groups)
    matmul_flops = 2.0 * active * prompt  # each token's routed experts only
    attention_flops = sum(layer.prefill_flops(depth + prompt, arch.num_heads, arch.head_dim)
                          - layer.prefill_flops(depth, arch.num_heads, arch.head_dim) for layer in arch.attention)
    # attention (flash attention's QK^T and PV) multiplies f16 tiles whatever the weights are stored in
    attention_peak = gpu.peak_flops_per_s(data["matmul_peak_format"]["float"]) or peak
    compute = matmul_flops / (peak * fraction) \
        + attention_flops / (attention_peak * data["prefill_attention_fraction"])
    batches = math.ceil(prompt / ubatch)
    reads, _ = _placed_reads(arch, weight_format, placement, min(prompt, ubatch))
    # one direction of the host link (the catalog gives both directions together, as vendors quote it)
    link = gpu.host_link.bandwidth_gb_per_s * 1e9 / 2 if gpu.host_link else None
    host_bytes = reads.get(HOST, 0.0)
    if host_bytes and not link:
        raise InputError("gpu", f"{gpu.name} has no host link in the catalog; weights copied from system RAM for a "
                                "prefill cannot be timed")
    transfer = batches * host_bytes / link if host_bytes else 0.0
    layers = batches * arch.num_layers * data["prefill_layer_seconds"]
    return LocalSpeed(test=f"pp{prompt}", tokens=prompt, seconds=compute + transfer + layers, gpu_read_seconds=0.0,
                      host_read_seconds=0.0, compute_seconds=compute, transfer_seconds=transfer,
                      layer_seconds=layers, compute_known=True)


def _host_seconds(host_bytes: float, bandwidth_gb_per_s: float | None, gpu) -> float:
    if not host_bytes:
        return 0.0
    if bandwidth_gb_per_s is None:
        if gpu.memory_model == "unified":
            return host_bytes / gpu.memory_bandwidth_bytes_per_s  # the CPU reads the same memory
        raise InputError("host_bandwidth_gb_per_s", "tensors in system RAM are read at its bandwidth: give it "
                                                    "(for example 89.6 GB/s for dual-channel DDR5-5600)")
    bandwidth = validate.number("host_bandwidth_gb_per_s", bandwidth_gb_per_s, minimum=1, maximum=10_000)
    return host_bytes / (bandwidth * 1e9 * speed_data()["host_bandwidth_fraction"])
