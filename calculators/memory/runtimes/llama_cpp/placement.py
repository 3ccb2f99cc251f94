"""Which device holds each tensor of a llama.cpp run, and the model buffer each device gets.

Follows ``load_tensors`` in ``src/llama-model.cpp`` (https://github.com/ggml-org/llama.cpp): token embeddings stay
on the CPU; ``-ngl N`` puts the last N repeating layers on the GPUs and the output layer too when N exceeds the
layer count; the GPU layers are cut at the cumulative ``--tensor-split`` points; ``-ot`` rules (and
``--n-cpu-moe``, which adds one per layer) are matched against GGUF tensor names, the first match winning.
"""

import bisect
import dataclasses
import functools
import re

from calculators.architectures import Architecture
from calculators.architectures.gguf_names import gguf_names
from calculators.memory.placement import Placement, override_device
from calculators.memory.weights import tensor_sizes

#: Device key of system RAM; GPUs are 0, 1, ...
HOST = "host"


@dataclasses.dataclass(frozen=True)
class TensorLayout:
    """Where everything of one model sits: the model buffer per device, and each layer's device (its KV cache
    lives there too)."""

    weights_bytes: dict                  # device -> bytes
    layer_devices: tuple                 # per repeating layer: GPU index or HOST
    output_device: object                # GPU index or HOST
    host_embedding_bytes: float
    overridden_bytes: float              # moved by -ot / --n-cpu-moe rules
    role_bytes: dict = dataclasses.field(default_factory=dict)   # device -> {tensor role -> bytes}

    @property
    def gpu_bytes(self) -> float:
        return sum(v for k, v in self.weights_bytes.items() if k != HOST)

    @property
    def host_bytes(self) -> float:
        return self.weights_bytes.get(HOST, 0.0)

    @property
    def layers_on_gpu(self) -> int:
        return sum(1 for d in self.layer_devices if d != HOST)


def split_points(placement: Placement) -> list[float]:
    """Cumulative, normalised GPU shares (llama.cpp's ``splits``); equal shares when none are given, as
    llama.cpp's default (free memory per device) gives for identical cards."""
    shares = placement.tensor_split or (1.0,) * placement.gpu_count
    total, points = sum(shares), []
    running = 0.0
    for share in shares:
        running += share
        points.append(running / total)
    return points


def layer_device(index: int, num_layers: int, placement: Placement, points: list[float]):
    """The device of repeating layer ``index`` (``num_layers`` = the output layer)."""
    if placement.gpu_count == 0:
        return HOST
    gpu_layers = num_layers + 1 if placement.gpu_layers is None else placement.gpu_layers
    start = max(num_layers - gpu_layers, 0)
    active = min(gpu_layers, num_layers + 1)
    if index < start or index - start >= active:
        return HOST
    if placement.split_mode == "none":
        return placement.main_gpu
    return min(bisect.bisect_right(points, (index - start) / active), placement.gpu_count - 1)


def override_rules(placement: Placement, cpu_moe_pattern: str) -> list[tuple[re.Pattern, object]]:
    """``-ot`` rules in order, then ``--n-cpu-moe``'s, compiled, with the device each names."""
    rules = [(re.compile(pattern), override_device(buffer, placement.gpu_count))
             for pattern, buffer in placement.tensor_overrides]
    if placement.cpu_moe_layers:  # one rule per layer in llama.cpp, all to the CPU: one alternation here
        layers = "|".join(str(i) for i in range(placement.cpu_moe_layers))
        rules.append((re.compile(cpu_moe_pattern.replace("{layer}", f"(?:{layers})")), None))
    return [(pattern, HOST if device is None else device) for pattern, device in rules]


@functools.lru_cache(maxsize=128)
def layout(arch: Architecture, weight_format: str, placement: Placement, cpu_moe_pattern: str) -> TensorLayout:
    """The model buffer of every device and the device of every layer (cached: searches over the context ask for
    the same placement again and again; callers must not change the dicts it returns)."""
    n = arch.num_layers
    points = split_points(placement)
    devices = tuple(layer_device(i, n, placement, points) for i in range(n))
    output = layer_device(n, n, placement, points)
    rules = override_rules(placement, cpu_moe_pattern)
    sized = list(tensor_sizes(arch, weight_format))
    names = gguf_names(t for t, _, _ in sized)
    buffers: dict = {}
    roles: dict = {}
    embedding = moved = 0.0
    for (tensor, _, size), name in zip(sized, names):
        home = HOST if tensor.role == "embedding" else output if tensor.layer is None else devices[tensor.layer]
        device = next((dev for pattern, dev in rules if pattern.search(name)), home)
        if device != home:
            moved += size
        if tensor.role == "embedding":
            embedding += size
            if arch.tie_word_embeddings and output != HOST:
                # no separate output tensor: llama.cpp loads a duplicate of the embeddings as the output layer
                buffers[output] = buffers.get(output, 0.0) + size
                _add(roles, output, "lm_head", size)
        buffers[device] = buffers.get(device, 0.0) + size
        _add(roles, device, tensor.role, size)
    if placement.split_mode == "row" and placement.gpu_count > 1:
        buffers = _row_split(buffers, points, placement.gpu_count)
    return TensorLayout(weights_bytes=buffers, layer_devices=devices, output_device=output,
                        host_embedding_bytes=embedding, overridden_bytes=moved, role_bytes=roles)


def _add(roles: dict, device, role: str, size: float) -> None:
    per_device = roles.setdefault(device, {})
    per_device[role] = per_device.get(role, 0.0) + size


def _row_split(buffers: dict, points: list[float], count: int) -> dict:
    """Row split (``-sm row``): every GPU holds its share of each matrix's rows."""
    gpu_total = sum(v for k, v in buffers.items() if k != HOST)
    shares = [points[0]] + [points[i] - points[i - 1] for i in range(1, count)]
    out = {i: gpu_total * share for i, share in enumerate(shares)}
    if HOST in buffers:
        out[HOST] = buffers[HOST]
    return out
