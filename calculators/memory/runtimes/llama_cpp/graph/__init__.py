"""How llama.cpp sizes its compute buffers, re-implemented from its source: the worst-case graph it reserves, the
backend scheduler's splits and copies, and ggml's graph allocator.

What llama.cpp prints as ``<buffer type> compute buffer size`` is, per buffer type, the largest offset one
``ggml_dyn_tallocr`` hands out while ``ggml_gallocr_reserve_n`` walks the scheduler's copy of a single worst-case
graph: one micro-batch of ``min(n_ctx, n_ubatch)`` tokens with logits for every token and attention over every
cell of the cache (ik_llama.cpp: src/llama.cpp ``llama_new_context_with_model``; mainline:
src/llama-context.cpp ``llama_context::llama_context``, which reserves a prompt, a one-token and a prompt graph).
Three steps produce the sizes, each in its module:

1. :mod:`.builders` builds the graph of the architecture (nodes in ``ggml_visit_parents`` order, :mod:`.ggml`);
2. :mod:`.scheduler` gives every node a backend and copies each input a backend cannot read into that backend's
   buffer (op offload: weights in system RAM used by a micro-batch of 32 tokens or more run on the GPU, copied
   there one tensor at a time);
3. :mod:`.allocator` places tensors in graph order, frees them after their last consumer and reuses memory in
   place where ggml allows it; fragmentation counts.

Graphs exist for the architectures the field records cover (Llama, Mistral, Qwen3 and Qwen3-MoE, Gemma 3 in
ik_llama.cpp, DeepSeek V2/V3 in both forks); :func:`supports` says whether one does.
"""

import re

from calculators.memory.placement import Placement
from calculators.memory.runtimes.llama_cpp.graph.allocator import Gallocr
from calculators.memory.runtimes.llama_cpp.graph.builders import (
    Ctx,
    build_deepseek2_ik,
    build_deepseek2_mainline,
    build_gemma3,
    build_llama,
    build_qwen3,
)
from calculators.memory.runtimes.llama_cpp.graph.scheduler import Sched, make_backends
from calculators.memory.runtimes.llama_cpp.placement import (
    HOST,
    layer_device,
    split_points,
)


def layer_devices(n_layer, n_gpus, n_gpu_layers, tensor_split):
    """The device of every layer and of the output layer (index ``n_layer``), as llama.cpp's loader assigns them
    (:func:`..placement.layer_device`), with the system RAM spelled ``'cpu'`` as the simulator does."""
    if n_gpus == 0:
        return ['cpu'] * (n_layer + 1)
    placement = Placement(gpu_layers=n_gpu_layers if n_gpu_layers is None or n_gpu_layers <= n_layer else None,
                          gpu_count=n_gpus, tensor_split=tuple(tensor_split or ()))
    points = split_points(placement)
    return ['cpu' if d == HOST else d for d in (layer_device(i, n_layer, placement, points)
                                                 for i in range(n_layer + 1))]


def compute_buffer_bytes(arch, n_ctx, n_ubatch, flash_attn, *, runtime='llama.cpp', build=None,
                         backend='cuda', n_gpus=1, n_gpu_layers=None, tensor_split=None, split_mode='layer',
                         main_gpu=0, override_tensors=(), type_k='f16', type_v=None, weight_type=None,
                         mla=0, attn_max_batch=0, fused_moe=False, repack_cpu=False, blas=False,
                         vulkan_vendor='nvidia', pipeline_parallel=None, n_outputs=None, explain=False):
    """Compute-buffer bytes per buffer as llama.cpp prints them.

    arch: the project's Architecture (hidden_size, num_heads, num_kv_heads, head_dim, intermediate_size,
          vocab_size, num_layers, num_experts, experts_per_token, moe_intermediate_size, model_type, tensors).
    n_ctx: KV cells as printed (already padded by the runtime: 256 with FA / recent builds).
    runtime: 'llama.cpp' (mainline) or 'ik_llama.cpp'; build: the build number printed in the log (selects the
          code variants that changed the graph or the scheduler, see BUILD NOTES in the report).
    backend: 'cuda' | 'vulkan' | 'cpu'.  override_tensors: -ot rules [(regex, 'cpu' | gpu index)], first match.
    weight_type(gguf_name, default) -> ggml type, only matters for weights that get copied (op offload).
    mla: 0 = no MLA; mainline: any non-zero = the GGUF has wk_b/wv_b (absorbed MLA); ik: the -mla mode.
    Returns {'gpu0': bytes, ..., 'host': bytes, ['cpu': bytes]}: 'host' is the CPU backend's buffer
    (CUDA_Host / Vulkan_Host, or CPU when no GPU is used), 'cpu' the BLAS backend's CPU buffer."""
    ik = runtime.startswith('ik')
    fork = 'ik' if ik else 'mainline'
    n_layer = arch.num_layers
    type_v = type_v or type_k
    if backend == 'cpu':
        n_gpus = 0
    if split_mode == 'row' and n_gpus > 1:
        # LLAMA_SPLIT_MODE_ROW: only the main GPU's backend is created; CUDA_Split weights are read by it
        n_gpus_b = 1
        devs = layer_devices(n_layer, 1, n_gpu_layers, None)
    else:
        n_gpus_b = n_gpus
        devs = layer_devices(n_layer, n_gpus, n_gpu_layers, tensor_split)
    rules = [(re.compile(p), d) for p, d in override_tensors]

    def override(name):
        for rx, d in rules:
            if rx.search(name):
                return d
        return None

    def wtype(name, default):
        if weight_type is None:
            return default
        if isinstance(weight_type, str):
            return default if default == 'f32' else weight_type
        return weight_type(name, default)

    full_offload = n_gpus_b > 0 and (n_gpu_layers is None or n_gpu_layers > n_layer)
    if pipeline_parallel is None:
        # mainline: llama-context.cpp requires !model.has_tensor_overrides(); ik_llama.cpp with -ot prints
        # "pipeline parallelism enabled (n_copies=1)" (ik_llama.cpp issue 530), i.e. one copy as without it
        pipeline_parallel = (n_gpus_b > 1 and full_offload and split_mode == 'layer' and backend == 'cuda'
                             and not override_tensors)
    n_copies = 4 if pipeline_parallel else 1

    builder = graph_builder(arch, fork)
    backends, cpu_extra = make_backends(backend, n_gpus_b, ik, build, blas=blas, vulkan_vendor=vulkan_vendor)
    ga = Gallocr(backends)
    n_tok = min(n_ctx, n_ubatch)
    # mainline reserves pp, tg and pp again; buffers only grow, and the second pp graph is the first one again, so
    # two passes give the same sizes
    passes = [n_tok] if ik else [n_tok, 1]
    for nt in passes:
        c = Ctx(arch, fork=fork, n_ctx=n_ctx, n_tokens=nt, flash_attn=flash_attn, type_k=type_k, type_v=type_v,
                layer_dev=lambda il: devs[il], override=override, output_dev=devs[n_layer], wtype=wtype,
                fused_moe=fused_moe, mla=mla, amb=attn_max_batch, hp=arch_hparams(arch, fork, build))
        if n_outputs is not None and nt > 1:
            c.n_outputs = n_outputs
        if repack_cpu:
            c.repack_cpu = True
        if not ik and (full_offload or nt < 32):
            # llama_context::graph_get_cb: "norm" tensors are pinned to the layer's device
            def cb(t, il, c=c):
                dev = c.layer_dev(il)
                for i, b in enumerate(backends):
                    if b.device == dev and b.supports_op(t):
                        c.user_backend[t.id] = i
            c.norm_cb = cb
        gf = builder(c)
        s = Sched(backends, n_copies=n_copies, fork=fork)
        gn, gb, gl, glb = s.split(gf, c.user_backend)
        ga.reserve(gn, gb, gl, glb)
        _unlink(gf.nodes, gf.leafs, gn, gl)
    out = {}
    for b in backends:
        key = ('gpu%d' % b.device) if b.device != 'cpu' else ('host' if b.name == 'CPU' else 'cpu')
        if key in out:
            continue
        size = ga.sizes.get(b.buft, 0)
        if b.buft == 'CPU':
            size += cpu_extra
        out[key] = size
    if explain:
        peaks = {}
        for b in backends:
            key = ('gpu%d' % b.device) if b.device != 'cpu' else ('host' if b.name == 'CPU' else 'cpu')
            if b.buft in ga.peak and key not in peaks:
                t, live = ga.peak[b.buft]
                peaks[key] = [(describe(x), off, sz) for x, off, sz in live]
        return out, peaks
    return out


def describe(t):
    where = '' if t.il is None else (f' L{t.il}' if isinstance(t.il, int) else f' {t.il}')
    nm = t.name or t.op.lower()
    if t.op == 'NONE' and '#' in nm:
        nm = 'copy of ' + nm.split('#')[1]
    return f"{nm}{where} {t.type}{t.ne[:3] if t.ne[3] == 1 else t.ne}"


def arch_hparams(arch, fork, build):
    mt = arch.model_type
    hp = {}
    if mt in ('deepseek_v2', 'deepseek_v3'):
        hp['gating'] = 'sigmoid' if mt == 'deepseek_v3' else 'softmax'
        hp['norm_w'] = mt == 'deepseek_v3'
    # mainline llm_build_ffn / build_moe_ffn switched from silu(in place)+mul(in place) to the fused,
    # not-in-place ggml_swiglu_split (PR #14158 and follow-ups, June 2025): > b5350, <= b5781
    hp['glu_split'] = fork == 'mainline' and (build or 0) >= 5700
    return hp


def supports(arch, fork: str) -> bool:
    """Whether a graph of ``arch`` exists here for ``fork`` (``'ik'`` or ``'mainline'``)."""
    try:
        graph_builder(arch, fork)
    except NotImplementedError:
        return False
    return True


def graph_builder(arch, fork):
    mt = arch.model_type
    if mt in ('qwen3',):
        return lambda c: build_qwen3(c, moe=False)
    if mt in ('qwen3_moe',):
        return lambda c: build_qwen3(c, moe=True)
    if mt in ('llama', 'mistral') and fork == 'mainline':  # llama.cpp builds Mistral with the Llama graph
        return build_llama
    if mt in ('gemma3_text', 'gemma3') and fork == 'ik':
        return build_gemma3
    if mt in ('deepseek_v2', 'deepseek_v3'):
        return build_deepseek2_ik if fork == 'ik' else build_deepseek2_mainline
    raise NotImplementedError(f'no graph for {mt} on {fork} (mainline gemma3 uses the iSWA cache; ik llama untested)')


def _unlink(*tensor_lists):
    """Drop each tensor's links to its sources once a graph has been sized. A graph is a chain thousands of
    tensors deep; freed as a chain, each tensor frees the next from inside its own deallocation, which overflows
    the far smaller C stack of Python in the browser (Pyodide: "Maximum call stack size exceeded")."""
    for tensors in tensor_lists:
        for t in tensors:
            t.src = [None] * len(t.src)
