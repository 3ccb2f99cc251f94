"""ggml's backend scheduler: which backend runs each node, the splits, and the copies of inputs a backend cannot
read (ggml/src/ggml-backend.cpp ``ggml_backend_sched_split_graph``), with each backend's op-offload and
supports-op rules (ggml-cuda.cu, ggml-vulkan.cpp, ggml-blas.cpp)."""

from calculators.memory.runtimes.llama_cpp.graph.ggml import (
    FLAG_INPUT,
    FLAG_OUTPUT,
    QUANTIZED,
    VIEW_OPS,
    Buffer,
    T,
    row_size,
    view_tensor,
)


# ----------------------------------------------------------------------------------------- backends
class Backend:
    """A ggml backend as the scheduler sees it.

    device: 'cpu' or GPU index; buft: name of its compute buffer type (the CPU backend uses the GPU's pinned
    host type when a GPU is present); alignment: ggml_backend_buft_get_alignment of that type."""

    def __init__(self, name, device, buft, alignment, supports_op=None, offload_op=None, cuda_pad=False):
        self.name = name
        self.device = device
        self.buft = buft
        self.alignment = alignment
        self._supports_op = supports_op
        self._offload_op = offload_op
        self.cuda_pad = cuda_pad
        # the compute buffer of this backend, as a buffer type other backends may or may not read directly
        self.compute_buffer = Buffer(device, 'compute')

    def supports_op(self, t):
        return True if self._supports_op is None else self._supports_op(t)

    def offload_op(self, t):
        return False if self._offload_op is None else self._offload_op(t)

    def supports_buft(self, buf):
        # CUDA/Vulkan: only their own device buffers; CPU: host buffers
        if self.device == 'cpu':
            return buf.host
        return buf.device == self.device and not buf.host

    def alloc_size(self, t):
        # ggml_backend_cuda_buffer_type_get_alloc_size: quantized rows padded to MATRIX_ROW_PADDING (512)
        s = t.nbytes()
        if self.cuda_pad and t.type in QUANTIZED and t.ne[0] % 512:
            s += row_size(t.type, 512 - t.ne[0] % 512)
        return s


def cuda_offload_op_mainline(t):
    # ggml-cuda.cu ggml_backend_cuda_device_offload_op / get_op_batch_size
    if t.op == 'GET_ROWS':
        bs = 0
    elif t.op == 'MUL_MAT':
        bs = t.ne[1]
    elif t.op in ('MUL_MAT_ID', 'ROPE'):
        bs = t.ne[2]
    else:
        bs = t.nrows()
    return bs >= 32


def cuda_offload_op_ik(t):
    # ik_llama.cpp ggml-cuda.cu ggml_backend_cuda_offload_op (May 2025)
    return (t.ne[1] >= 32 and t.op != 'GET_ROWS') or (t.ne[2] >= 32 and t.op in ('MUL_MAT_ID', 'MOE_FUSED_UP_GATE'))


# -------------------------------------------------------------------------------------------- sched
class Sched:
    """ggml_backend_sched_split_graph + the graph copy handed to ggml_gallocr_reserve_n."""

    MAX_SPLIT_INPUTS = 10   # GGML_SCHED_MAX_SPLIT_INPUTS = GGML_MAX_SRC

    def __init__(self, backends, n_copies=1, fork='mainline'):
        self.backends = backends
        self.n = len(backends)
        self.n_copies = n_copies
        self.fork = fork

    def backend_from_buffer(self, t, op):
        buf = t.view_src.buffer if t.view_src is not None else t.buffer
        if buf is None:
            return -1
        for i, b in enumerate(self.backends):
            if b.supports_buft(buf) and b.supports_op(op):
                return i
        return -1

    def buf_of(self, t):
        return t.view_src.buffer if t.view_src is not None else t.buffer

    def from_cur(self, t):
        cur = self.backend_from_buffer(t, t)
        if cur != -1:
            return cur
        if t.view_src is not None:
            cur = self.backend_from_buffer(t.view_src, t)
            if cur != -1:
                return cur
        if t.flags & FLAG_INPUT:
            return self.n - 1
        for s in t.src:
            if s is None:
                continue
            if self.fork == 'mainline' and t.op == 'ROPE':
                continue
            if s.buffer is not None and s.buffer.usage == 'weights':
                sb = self.backend_from_buffer(s, t)
                if sb == self.n - 1 and (self.fork != 'mainline' or s.buffer.host):
                    for b in range(sb):
                        if self.backends[b].supports_op(t) and self.backends[b].offload_op(t):
                            return b
                return sb
        return -1

    def buffer_supported(self, t, b):
        buf = self.buf_of(t)
        if buf is not None:
            return self.backends[b].supports_buft(buf)
        bid = self.bid.get(t.id, -1)
        if bid == -1 and t.view_src is not None:
            bid = self.bid.get(t.view_src.id, -1)
        if bid != -1:
            return self.backends[b].supports_buft(self.backends[bid].compute_buffer)
        return False

    def split(self, graph, user_backend=None):
        bid = self.bid = dict(user_backend or {})
        nodes, leafs = graph.nodes, graph.leafs
        n = self.n
        # pass 1
        for l in leafs:
            if bid.get(l.id, -1) == -1:
                bid[l.id] = self.from_cur(l)
        for nd in nodes:
            if bid.get(nd.id, -1) == -1:
                bid[nd.id] = self.from_cur(nd)

        def expand(order, skip_cpu):
            cur = -1
            for nd in order:
                if nd.op in VIEW_OPS:
                    continue
                b = bid.get(nd.id, -1)
                if b != -1:
                    cur = -1 if (skip_cpu and b == n - 1) else b
                elif cur != -1:
                    if self.backends[cur].supports_op(nd):
                        bid[nd.id] = cur
        # pass 2
        expand(nodes, True)
        expand(reversed(nodes), True)
        expand(nodes, False)
        expand(reversed(nodes), False)
        # pass 3
        for nd in nodes:
            if nd.op in VIEW_OPS:
                continue
            b = bid.get(nd.id, -1)
            if b == -1:
                best = -1
                for cand in range(n):
                    if self.backends[cand].supports_op(nd):
                        ns = 0
                        for s in nd.src:
                            if s is None:
                                continue
                            if (bid.get(s.id, -1) != -1 or (s.view_src is not None and bid.get(s.view_src.id, -1) != -1)) \
                                    and self.buffer_supported(s, cand):
                                ns += 1
                        if ns > best:
                            best = ns
                            bid[nd.id] = cand
            else:
                for cand in range(b):
                    if self.backends[cand].buft == self.backends[b].buft and self.backends[cand].supports_op(nd):
                        if all(s is None or self.buffer_supported(s, cand) for s in nd.src):
                            bid[nd.id] = cand
                            break
        # pass 4
        for nd in nodes:
            if nd.view_src is not None and bid.get(nd.id, -1) == -1:
                bid[nd.id] = bid.get(nd.view_src.id, -1)
            for s in nd.src:
                if s is None:
                    continue
                if bid.get(s.id, -1) == -1:
                    if s.view_src is not None:
                        bid[s.id] = bid.get(s.view_src.id, -1)
                    else:
                        bid[s.id] = bid[nd.id]
        # pass 5
        splits = []
        copies = {}          # (src id, backend) -> [copy per n_copies]
        graph_inputs = []
        i = 0
        while i < len(nodes) and nodes[i].op in VIEW_OPS:
            i += 1
        split = {'backend': bid[nodes[i].id] if i < len(nodes) else n - 1, 'start': 0, 'inputs': []}
        cur = split['backend']
        for idx in range(i, len(nodes)):
            nd = nodes[idx]
            if nd.op in VIEW_OPS:
                continue
            nb = bid[nd.id]
            need_new = False
            if nb == cur and split['inputs']:
                for s in nd.src:
                    if s is None:
                        continue
                    if s.buffer is not None and s.buffer.usage == 'weights':
                        sb = bid.get(s.id, -1)
                        if sb != cur and (self.fork != 'mainline' or not self.buffer_supported(s, cur)):
                            need_new = True
                            break
                    if len(split['inputs']) == self.MAX_SPLIT_INPUTS:
                        sb = bid.get(s.id, -1)
                        if sb != cur and (s.id, cur) not in copies and not self.buffer_supported(s, cur):
                            need_new = True
                            break
            if nb != cur or need_new:
                split['end'] = idx
                splits.append(split)
                split = {'backend': nb, 'start': idx, 'inputs': []}
                cur = nb
            for j, s in enumerate(nd.src):
                if s is None:
                    continue
                sb = bid[s.id]
                if (s.flags & FLAG_INPUT) and self.n_copies > 1:
                    if (s.id, sb) not in copies:
                        cl = []
                        for c in range(self.n_copies):
                            tc = s if c == 0 else dup_layout(s)
                            tc.flags |= FLAG_INPUT | FLAG_OUTPUT
                            cl.append(tc)
                            bid[tc.id] = sb
                        copies[(s.id, sb)] = cl
                        graph_inputs.append((s, sb))
                if sb != cur and not self.buffer_supported(s, cur):
                    if (s.id, cur) not in copies:
                        cl = []
                        for c in range(self.n_copies):
                            tc = dup_layout(s)
                            tc.name = f"{self.backends[cur].name}#{s.name or s.op.lower()}#{c}"
                            tc.il = s.il
                            if self.n_copies > 1:
                                tc.flags |= FLAG_INPUT | FLAG_OUTPUT
                            cl.append(tc)
                            bid[tc.id] = cur
                        copies[(s.id, cur)] = cl
                        split['inputs'].append(s)
                    nd.src[j] = copies[(s.id, cur)][0]
        split['end'] = len(nodes)
        splits.append(split)
        self.splits = splits

        # graph copy
        gnodes, gnode_b, gleafs, gleaf_b = [], [], [], []
        for sp in splits:
            for inp in sp['inputs']:
                dep = view_tensor(inp)
                dep.src[0] = inp
                gnodes.append(dep)
                gnode_b.append(bid[inp.id])
                cp = copies[(inp.id, sp['backend'])][0]
                gnodes.append(cp)
                gnode_b.append(sp['backend'])
            for k in range(sp['start'], sp['end']):
                gnodes.append(nodes[k])
                gnode_b.append(bid[nodes[k].id])
        if self.n_copies > 1:
            for (s, sb) in graph_inputs:
                for tc in copies[(s.id, sb)]:
                    gleafs.append(tc)
                    gleaf_b.append(sb)
            for sp in splits:
                for inp in sp['inputs']:
                    for tc in copies[(inp.id, sp['backend'])]:
                        gleafs.append(tc)
                        gleaf_b.append(sp['backend'])
        for l in leafs:
            gleafs.append(l)
            gleaf_b.append(bid.get(l.id, -1))
        return gnodes, gnode_b, gleafs, gleaf_b


def dup_layout(s):
    t = T(s.ne, s.type, nb=s.nb)
    return t




VK_MM_TYPES = {'f32', 'f16', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q2_K', 'q3_K', 'q4_K', 'q5_K', 'q6_K', 'iq4_nl'}
VK_OTHER = {'NONE', 'RESHAPE', 'VIEW', 'PERMUTE', 'TRANSPOSE', 'NORM', 'GROUP_NORM', 'RMS_NORM', 'ADD', 'MUL', 'DIV',
            'CONCAT', 'UPSCALE', 'SCALE', 'SQR', 'CLAMP', 'PAD', 'CONT', 'DIAG_MASK_INF', 'SOFT_MAX', 'ARGSORT',
            'SUM_ROWS', 'IM2COL', 'TIMESTEP_EMBEDDING', 'LEAKY_RELU'}


def ik_vulkan_supports_op(t):
    """ik_llama.cpp ggml/src/ggml-vulkan.cpp ggml_backend_vk_supports_op before the 2025-07-02 merge from mainline
    (build < 3775): no FLASH_ATTN_EXT, none of ik's fused ops, CPY only f32/f16 -> f32/f16, MUL_MAT only for the
    listed types (no iq4_xs).  Unsupported ops run on the CPU backend, with their inputs copied to Vulkan_Host."""
    op = t.op
    if op == 'UNARY':
        return t.src[0].is_contiguous()
    if op in ('MUL_MAT', 'MUL_MAT_ID'):
        return t.src[0].type in VK_MM_TYPES
    if op == 'GET_ROWS':
        return t.src[0].type in {'f32', 'f16', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'iq4_nl'}
    if op in ('CPY', 'DUP'):
        s0 = t.src[0].type
        s1 = t.src[1].type if t.src[1] is not None else s0
        return (s0, s1) in {('f32', 'f32'), ('f32', 'f16'), ('f16', 'f16')}
    if op == 'ROPE':
        return t.src[0].is_contiguous()
    return op in VK_OTHER


def gpu_supports_repacked(t):
    """-rtr repacks CPU-resident weights into CPU-only row-interleaved types: no GPU can run an op on them."""
    return not any(s is not None and getattr(s, 'repacked', False) for s in t.src)


def cuda_offload_op_ik_expert_ratio(t):
    """ik_llama.cpp ggml-cuda.cu ggml_backend_cuda_offload_op from #520 (2025-06-12, build >= 3745):
    MoE ops are offloaded only when n_tokens * n_expert_used >= 32 * n_expert."""
    if t.op in ('MUL_MAT_ID', 'MOE_FUSED_UP_GATE'):
        ids = t.src[2] if t.op == 'MUL_MAT_ID' else t.src[3]
        if t.ne[2] < 32:
            return False
        return t.ne[2] * ids.ne[0] >= 32 * t.src[0].ne[2]
    return t.ne[1] >= 32 and t.op != 'GET_ROWS'


def cuda_offload_op_ik_old(t):
    """ik before #405 (2025-05-12, build < 3683): only MUL_MAT_ID is judged by ne[2]."""
    return (t.ne[1] >= 32 and t.op != 'GET_ROWS') or (t.ne[2] >= 32 and t.op == 'MUL_MAT_ID')


def blas_supports_op(t):
    """ggml-blas.cpp ggml_backend_blas_device_supports_op: large contiguous f32 MUL_MATs on host weights."""
    if t.op in ('NONE', 'RESHAPE', 'VIEW', 'PERMUTE', 'TRANSPOSE'):
        return True
    if t.op == 'MUL_MAT':
        s0, s1 = t.src[0], t.src[1]
        return s0.is_contiguous() and s1.is_contiguous() and s1.type == 'f32' and \
            t.ne[0] >= 32 and t.ne[1] >= 32 and s1.ne[0] >= 32
    return False


def make_backends(backend, n_gpus, ik, build, blas=False, vulkan_vendor='nvidia'):
    """The scheduler's backends in priority order (GPUs, [BLAS], CPU) with their compute buffer types."""
    if backend == 'cpu' or n_gpus == 0:
        # ik's ggml_backend_cpu_buffer_type_alloc_buffer adds TENSOR_ALIGNMENT (32) to every CPU buffer
        return [Backend('CPU', 'cpu', 'CPU', 32)], (32 if ik else 0)
    bs = []
    if ik:
        off = cuda_offload_op_ik_expert_ratio if (build or 0) >= 3745 else \
            (cuda_offload_op_ik if (build or 0) >= 3683 else cuda_offload_op_ik_old)
    else:
        off = cuda_offload_op_mainline
    for g in range(n_gpus):
        if backend == 'cuda':
            bs.append(Backend(f'CUDA{g}', g, f'CUDA{g}', 128, supports_op=gpu_supports_repacked, offload_op=off,
                              cuda_pad=True))
        else:
            sup = (lambda t: ik_vulkan_supports_op(t) and gpu_supports_repacked(t)) \
                if (ik and (build or 0) < 3775) else gpu_supports_repacked
            align = 16 if vulkan_vendor == 'nvidia' else 4      # VkPhysicalDeviceLimits.minStorageBufferOffsetAlignment
            bs.append(Backend(f'Vulkan{g}', g, f'Vulkan{g}', align, supports_op=sup, offload_op=off))
    if blas:
        bs.append(Backend('BLAS', 'cpu', 'CPU', 32, supports_op=blas_supports_op))
    host = 'CUDA_Host' if backend == 'cuda' else 'Vulkan_Host'
    host_align = 32 if backend == 'cuda' else (64 if vulkan_vendor == 'nvidia' else 4096)  # minMemoryMapAlignment
    bs.append(Backend('CPU', 'cpu', host, host_align))
    return bs, (32 if (ik and blas) else 0)


