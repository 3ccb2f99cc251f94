"""The compute buffers llama.cpp reserves for one micro-batch (``n_ubatch`` tokens) over the whole cache."""

from calculators.architectures import Architecture
from calculators.memory.runtimes.llama_cpp.placement import HOST


def compute_buffers(arch: Architecture, *, ubatch: int, context: int, flash_attention: bool,
                    layer_devices, output_device) -> dict:
    """Bytes per device: each device that runs layers holds the largest per-layer working set of one
    micro-batch (f32 intermediates) and the attention scores against the context; the output layer's device
    also the f32 logits."""
    f = max(arch.intermediate_size, arch.moe_intermediate_size * max(arch.experts_per_token, 1))
    work = 4 * ubatch * (2 * arch.hidden_size + 2 * f)
    scores = 4 * ubatch * arch.num_heads * (256 if flash_attention else context)
    out = {device: float(work + scores) for device in set(layer_devices)}
    out[output_device] = out.get(output_device, 0.0) + 4 * ubatch * arch.vocab_size
    out.setdefault(HOST, 0.0)
    return out
