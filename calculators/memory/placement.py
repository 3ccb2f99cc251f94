"""Where a local runtime keeps each tensor: GPU layers, experts in system RAM, tensor overrides, several GPUs.

These are llama.cpp's placement settings (``-ngl``, ``--n-cpu-moe``, ``-ot``, ``--tensor-split``, ``-sm``), checked
once; :mod:`calculators.memory.runtimes.llama_cpp.placement` applies them tensor by tensor.
"""

import dataclasses
import re

from calculators.core import validate
from calculators.core.errors import InputError

SPLIT_MODES = ("layer", "row", "none")
#: Buffer names an ``-ot`` rule may send a tensor to: the host, or a numbered GPU of any backend.
_GPU_BUFFER = re.compile(r"^(?:CUDA|ROCm|HIP|Vulkan|SYCL|Metal|GPU|MUSA|CANN)(\d*)$", re.IGNORECASE)
_HOST_BUFFERS = ("cpu", "cpu_mapped", "cpu_repack", "cuda_host", "amx")
MAX_OVERRIDES = 64
MAX_PATTERN_CHARS = 200


@dataclasses.dataclass(frozen=True)
class Placement:
    """llama.cpp's tensor placement. ``gpu_layers`` None = every layer and the output layer (``-ngl 999``);
    ``gpu_count`` 0 = CPU only; ``tensor_split`` = one share per GPU (empty: equal shares);
    ``tensor_overrides`` = ``-ot`` rules ``(pattern, buffer)`` in the order given, the first match wins;
    ``cpu_moe_layers`` = ``--n-cpu-moe N`` (the experts of the first N layers stay in system RAM)."""

    gpu_layers: int | None = None
    gpu_count: int = 1
    tensor_split: tuple[float, ...] = ()
    split_mode: str = "layer"
    cpu_moe_layers: int = 0
    tensor_overrides: tuple[tuple[str, str], ...] = ()
    #: 0-based GPU that holds the KV cache and results under row split (``-mg``).
    main_gpu: int = 0

    @property
    def is_default(self) -> bool:
        return self == Placement()


BACKENDS = ("CUDA", "ROCm", "Vulkan", "Metal", "SYCL", "CPU")


@dataclasses.dataclass(frozen=True)
class LlamaCppOptions:
    """llama.cpp settings that shape its compute buffers: the GPU ``backend`` and ik_llama.cpp's ``-fmoe`` (fused
    MoE up/gate), ``-amb`` (attention batch limit, MiB; 0 = none) and ``-rtr`` (run-time repacking of the weights in
    system RAM, which keeps their ops on the CPU)."""

    backend: str = "CUDA"
    fused_moe: bool = False
    attention_max_batch_mib: int = 0
    repack_cpu: bool = False
    #: ``False`` leaves the compute buffers out (zero), for a caller that searches over many settings and adds
    #: buffers it computed once; the default computes them from llama.cpp's graph.
    with_compute_buffers: bool = True


def check_options(options: LlamaCppOptions) -> LlamaCppOptions:
    if not isinstance(options, LlamaCppOptions):
        raise InputError("llama_cpp", "expected llama.cpp options")
    for name in ("fused_moe", "repack_cpu", "with_compute_buffers"):
        if not isinstance(getattr(options, name), bool):
            raise InputError(name, "expected true or false")
    return LlamaCppOptions(backend=validate.choice("backend", options.backend, BACKENDS),
                           fused_moe=options.fused_moe, repack_cpu=options.repack_cpu,
                           with_compute_buffers=options.with_compute_buffers,
                           attention_max_batch_mib=validate.integer("attention_max_batch_mib",
                                                                    options.attention_max_batch_mib, minimum=0,
                                                                    maximum=10**6))


def override_device(buffer: str, gpu_count: int, field: str = "tensor_overrides") -> int | None:
    """The GPU index an ``-ot`` buffer name means (``CUDA1`` -> 1), or None for system RAM (``CPU``)."""
    text = str(buffer).strip()
    if text.lower() in _HOST_BUFFERS:
        return None
    match = _GPU_BUFFER.match(text)
    if not match:
        raise InputError(field, f"unknown buffer {text[:30]!r}: expected CPU or a GPU such as CUDA0, ROCm1, Vulkan0")
    index = int(match.group(1) or 0)
    if index >= gpu_count:
        raise InputError(field, f"{text} names GPU {index}, but only {gpu_count} GPU(s) are set")
    return index


def parse_override(rule, field: str = "tensor_overrides") -> tuple[str, str]:
    """``"exps=CPU"`` (as ``-ot`` takes it) or a ``(pattern, buffer)`` pair -> ``(pattern, buffer)``."""
    if isinstance(rule, str):
        pattern, sep, buffer = rule.rpartition("=")
        if not sep or not pattern:
            raise InputError(field, f"expected PATTERN=BUFFER such as exps=CPU, got {rule[:40]!r}")
    elif isinstance(rule, (list, tuple)) and len(rule) == 2 and all(isinstance(x, str) for x in rule):
        pattern, buffer = rule
    else:
        raise InputError(field, "each override is a PATTERN=BUFFER string such as exps=CPU")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InputError(field, f"a pattern is at most {MAX_PATTERN_CHARS} characters")
    try:
        re.compile(pattern)
    except re.error as error:
        raise InputError(field, f"{pattern[:40]!r} is not a regular expression ({error})") from None
    return pattern, buffer.strip()


def _split_rules(rule):
    """One ``-ot`` value may hold several rules separated by commas, which llama.cpp splits before anything else
    (common/arg.cpp: ``string_split<std::string>(value, ',')``), so a comma inside a pattern splits it too."""
    if isinstance(rule, str):
        return [part for part in rule.split(",") if part.strip()] or [rule]
    return [rule]


def check(placement: Placement, num_layers: int | None = None) -> Placement:
    """Validated copy (each bad value raises InputError naming its field)."""
    if not isinstance(placement, Placement):
        raise InputError("placement", "expected llama.cpp placement settings")
    count = validate.integer("gpu_count", placement.gpu_count, minimum=0, maximum=validate.MAX_GPUS)
    layers = placement.gpu_layers
    if layers is not None:
        layers = validate.integer("gpu_layers", layers, minimum=0, maximum=10**6)
        if num_layers is not None and layers > num_layers:
            layers = None  # more than the model has: every layer and the output layer, as llama.cpp clamps it
    split = tuple(validate.number("tensor_split", share, minimum=0, maximum=1e6) for share in placement.tensor_split)
    if split and len(split) != count:
        raise InputError("tensor_split", f"one share per GPU: {len(split)} shares for {count} GPU(s)")
    if split and not sum(split):
        raise InputError("tensor_split", "at least one GPU needs a share above zero")
    mode = validate.choice("split_mode", placement.split_mode, SPLIT_MODES)
    overrides = placement.tensor_overrides
    if len(overrides) > MAX_OVERRIDES or sum(len(_split_rules(rule)) for rule in overrides) > MAX_OVERRIDES:
        raise InputError("tensor_overrides", f"at most {MAX_OVERRIDES} override rules")
    overrides = tuple(parse_override(part) for rule in overrides for part in _split_rules(rule))
    for _, buffer in overrides:
        override_device(buffer, count)
    main = validate.integer("main_gpu", placement.main_gpu, minimum=0, maximum=max(count - 1, 0))
    return Placement(gpu_layers=0 if count == 0 else layers, gpu_count=count, tensor_split=split, split_mode=mode,
                     cpu_moe_layers=validate.integer("cpu_moe_layers", placement.cpu_moe_layers, minimum=0,
                                                     maximum=10**6),
                     tensor_overrides=overrides, main_gpu=main)
