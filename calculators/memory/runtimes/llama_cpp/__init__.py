"""llama.cpp (and its fork ik_llama.cpp): the buffers it prints at load time, per device.

Model buffers follow the tensor placement (:mod:`.placement`), the KV cache the fork's and build's cache rules
(:mod:`.kv`), the compute buffers one micro-batch's graph (:mod:`.compute`). The estimate's components are what
the GPUs hold together; ``devices`` lists each GPU and system RAM (``host``) apart.
"""

import dataclasses
import math

from calculators.architectures import Architecture
from calculators.catalogs import formats
from calculators.core.caveats import Caveat
from calculators.memory import placement as placement_settings
from calculators.memory.result import DeviceMemory, Facts, MemoryEstimate, make_estimate
from calculators.memory.runtimes.llama_cpp.compute import compute_buffers
from calculators.memory.runtimes.llama_cpp.kv import kv_cache
from calculators.memory.runtimes.llama_cpp.placement import HOST, layout, override_rules
from calculators.memory.setup import InferenceSetup, common_warnings, runtime_data

#: llama.cpp's default cache type (f16) for K and V.
DEFAULT_CACHE_FORMAT = "fp16"


def device_name(device) -> str:
    return "host" if device == HOST else f"gpu{device}"


def estimate(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Model, KV and compute buffers on every device, as llama.cpp allocates them."""
    rt = runtime_data()
    cfg = rt["llama_cpp"]
    fork = cfg["forks"][setup.runtime]
    placement = placement_settings.check(setup.placement, arch.num_layers)  # -ngl above the layer count = all
    setup = dataclasses.replace(setup, placement=placement)
    tensors = layout(arch, setup.weight_format, placement, cfg["cpu_moe_pattern"])
    pad = cfg["kv_padding_tokens"]
    context = math.ceil(setup.batch * (setup.prompt_tokens + setup.new_tokens) / pad) * pad
    n_ubatch = setup.micro_batch_tokens or cfg["n_ubatch"]
    flash = setup.attn != "eager"
    k_format = setup.kv_format or DEFAULT_CACHE_FORMAT
    k_b = formats.get(k_format).bytes_per_value
    v_b = formats.get(setup.kv_format_v or k_format).bytes_per_value
    kv_devices = tensors.layer_devices
    if placement.split_mode == "row" and placement.gpu_count > 1:  # row split keeps the cache on the main GPU
        kv_devices = tuple(placement.main_gpu if d != HOST else d for d in kv_devices)
    cache = kv_cache(arch, fork_name=setup.runtime, fork=fork, build=setup.runtime_build, mla_mode=setup.mla_mode,
                     context=context, n_ubatch=n_ubatch, pad=pad, sequences=setup.batch,
                     swa_full=setup.swa_full, flash_attention=flash, k_bytes_per_value=k_b,
                     v_bytes_per_value=v_b, layer_devices=kv_devices)
    buffers = compute_buffers(arch, setup, context=context, n_ubatch=n_ubatch, flash_attention=flash,
                              layer_devices=kv_devices, output_device=tensors.output_device,
                              cache_rule=cache.latent_cache,
                              overrides=override_rules(placement, cfg["cpu_moe_pattern"]))
    compute = buffers.bytes_by_device
    keys = sorted(set(tensors.weights_bytes) | set(cache.k_bytes) | set(compute),
                  key=lambda d: (d == HOST, d if d != HOST else 0))
    devices = tuple(DeviceMemory(device_name(d), tensors.weights_bytes.get(d, 0.0), cache.device_bytes(d),
                                 compute.get(d, 0.0)) for d in keys)
    on_gpus = [d for d in devices if d.is_gpu]
    kv_gpu = sum(d.kv_bytes for d in on_gpus)
    alive = {"weights": sum(d.weights_bytes for d in on_gpus), "kv_cache": kv_gpu,
             "activations": sum(d.compute_bytes for d in on_gpus)}
    warnings = common_warnings(arch, setup) + list(cache.caveats) + list(buffers.caveats)
    host = next((d for d in devices if not d.is_gpu), None)
    partial = tensors.layers_on_gpu < arch.num_layers or tensors.overridden_bytes > 0
    if host and on_gpus and partial:
        warnings.append(Caveat("host_memory", f"{host.total_bytes / 2**30:.1f} GiB stay in system RAM "
                                              f"({tensors.layers_on_gpu} of {arch.num_layers} layers on the GPU"
                                              + (", some tensors overridden to the CPU" if tensors.overridden_bytes
                                                 else "") + "); tokens/s falls with every byte read from there"))
    facts = Facts(kv_bytes_per_token=cache.total_bytes / context if context else 0.0,
                  weight_bits_per_param=8 * sum(tensors.weights_bytes.values()) / max(arch.n_params, 1),
                  host_embedding_bytes=tensors.host_embedding_bytes, kv_k_bytes=sum(cache.k_bytes.values()))
    context_bytes = rt["cuda_context_bytes"] if on_gpus else 0.0
    return make_estimate("inference", setup.runtime, alive, context_bytes=context_bytes, allocator_bytes=0.0,
                         phase="decode", warnings=warnings, facts=facts, devices=devices)
