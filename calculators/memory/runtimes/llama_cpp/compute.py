"""The compute buffers llama.cpp reserves, per device: from its own graph, scheduler and allocator
(:mod:`.graph`) where a graph of the architecture exists here, else a rule of thumb that says so."""

import dataclasses
import functools

from calculators.architectures import Architecture
from calculators.architectures.gguf_names import gguf_names
from calculators.core.caveats import Caveat
from calculators.memory.runtimes.llama_cpp import graph
from calculators.memory.runtimes.llama_cpp.placement import HOST
from calculators.memory.weights import tensor_sizes

#: The format catalog's ids -> ggml's type names (ggml.c ``type_traits``).
GGML_TYPES = {"fp32": "f32", "fp16": "f16", "bf16": "bf16", "q8_0": "q8_0", "q4_0": "q4_0", "q4_1": "q4_1",
              "q5_0": "q5_0", "q5_1": "q5_1", "iq4_nl": "iq4_nl", "q2_k_block": "q2_K", "q3_k": "q3_K",
              "q4_k": "q4_K", "q5_k": "q5_K", "q6_k": "q6_K", "mxfp4": "mxfp4"}
#: llama.cpp backends -> the simulator's buffer rules (HIP builds the CUDA backend's code).
GRAPH_BACKENDS = {"CUDA": "cuda", "ROCm": "cuda", "Vulkan": "vulkan", "CPU": "cpu"}


@dataclasses.dataclass(frozen=True)
class ComputeBuffers:
    """Bytes per device (``HOST`` = system RAM) and how they were obtained."""

    bytes_by_device: dict
    from_graph: bool
    caveats: tuple[Caveat, ...] = ()


def compute_buffers(arch: Architecture, setup, *, context: int, n_ubatch: int, flash_attention: bool,
                    layer_devices, output_device, cache_rule: str | None, overrides) -> ComputeBuffers:
    """The compute buffer of every device for one ``n_ubatch`` micro-batch over ``context`` cells."""
    fork = "ik" if setup.runtime == "ik_llama.cpp" else "mainline"
    options = setup.llama_cpp
    if not options.with_compute_buffers:
        return ComputeBuffers({device: 0.0 for device in (*set(layer_devices), output_device, HOST)}, from_graph=False)
    backend = GRAPH_BACKENDS.get(options.backend) if setup.placement.gpu_count else "cpu"
    if backend is None or not graph.supports(arch, fork):
        return _rule_of_thumb(arch, options.backend if backend is None else arch.model_type, ubatch=min(
            n_ubatch, context), context=context, flash_attention=flash_attention, layer_devices=layer_devices,
            output_device=output_device)
    if fork == "ik":
        mla = setup.mla_mode or 0
    else:  # mainline runs the absorbed-MLA graph exactly when it caches the latent
        mla = 1 if cache_rule and cache_rule != "full_heads" else 0
    sizes = _graph_sizes(arch, setup.weight_format, setup.placement, setup.runtime, setup.runtime_build, backend,
                         context, n_ubatch, flash_attention, setup.kv_format or "fp16",
                         setup.kv_format_v or setup.kv_format or "fp16", mla, options.attention_max_batch_mib,
                         options.fused_moe, options.repack_cpu, tuple((p.pattern, d) for p, d in overrides))
    out: dict = {}
    for key, value in sizes.items():
        device = HOST if key in ("host", "cpu") else int(key.removeprefix("gpu"))
        out[device] = out.get(device, 0.0) + float(value)
    return ComputeBuffers(out, from_graph=True)


@functools.lru_cache(maxsize=64)
def _graph_sizes(arch, weight_format, placement, runtime, build, backend, context, n_ubatch, flash_attention, type_k,
                 type_v, mla, attention_max_batch, fused_moe, repack_cpu, overrides) -> dict:
    """The simulator's bytes per buffer, cached: a page or a search asks for the same setup more than once, and
    one graph of a large model takes a tenth of a second."""
    types = _gguf_types(arch, weight_format)
    return graph.compute_buffer_bytes(
        arch, context, n_ubatch, flash_attention, runtime=runtime, build=build, backend=backend,
        n_gpus=placement.gpu_count, n_gpu_layers=placement.gpu_layers, tensor_split=placement.tensor_split or None,
        split_mode=placement.split_mode, main_gpu=placement.main_gpu,
        override_tensors=[(pattern, "cpu" if device == HOST else device) for pattern, device in overrides],
        type_k=GGML_TYPES[type_k], type_v=GGML_TYPES[type_v], weight_type=lambda name, default: types.get(name, default),
        mla=mla, attn_max_batch=attention_max_batch, fused_moe=fused_moe, repack_cpu=repack_cpu)


def _gguf_types(arch: Architecture, weight_format: str) -> dict[str, str]:
    """Each GGUF tensor's ggml type under ``weight_format`` (what a copied weight weighs)."""
    sized = list(tensor_sizes(arch, weight_format))
    names = gguf_names(t for t, _, _ in sized)
    return {name: GGML_TYPES.get(fid, "f16") for (_, fid, _), name in zip(sized, names)}


def _rule_of_thumb(arch: Architecture, missing: str, *, ubatch: int, context: int, flash_attention: bool,
                   layer_devices, output_device) -> ComputeBuffers:
    """Each device that runs layers holds the largest per-layer working set of one micro-batch (f32) and the
    attention scores; the output layer's device also the f32 logits. Used where no graph model exists."""
    f = max(arch.intermediate_size, arch.moe_intermediate_size * max(arch.experts_per_token, 1))
    work = 4 * ubatch * (2 * arch.hidden_size + 2 * f)
    scores = 4 * ubatch * arch.num_heads * (256 if flash_attention else context)
    out = {device: float(work + scores) for device in set(layer_devices)}
    out[output_device] = out.get(output_device, 0.0) + 4 * ubatch * arch.vocab_size
    out.setdefault(HOST, 0.0)
    caveat = Caveat("compute_buffer_estimated", f"the compute buffers are a rule of thumb here, not llama.cpp's "
                                                f"graph ({missing} has no graph model yet): expect tens of percent")
    return ComputeBuffers(out, from_graph=False, caveats=(caveat,))
