"""ggml's tensors and the ops llama.cpp's graphs use (shapes and types only), and graph expansion in
``ggml_visit_parents`` order (ggml/src/ggml.c). Part of a re-implementation of how llama.cpp sizes its compute
buffers; see the package docstring."""


# ---------------------------------------------------------------------------------------------- types
# (bytes per block, values per block) as in ggml.c type_traits
TYPES = {
    'f32': (4, 1), 'f16': (2, 1), 'bf16': (2, 1), 'i32': (4, 1),
    'q4_0': (18, 32), 'q4_1': (20, 32), 'q5_0': (22, 32), 'q5_1': (24, 32), 'q8_0': (34, 32), 'iq4_nl': (18, 32),
    'q2_K': (84, 256), 'q3_K': (110, 256), 'q4_K': (144, 256), 'q5_K': (176, 256), 'q6_K': (210, 256),
    'iq4_xs': (136, 256), 'q4_K_r4': (144, 256), 'mxfp4': (17, 32),
}
QUANTIZED = {t for t, (b, n) in TYPES.items() if n > 1}

VIEW_OPS = {'VIEW', 'RESHAPE', 'PERMUTE', 'TRANSPOSE'}
# ggml-alloc.c ggml_op_can_inplace
INPLACE_OPS = {'SCALE', 'DIAG_MASK_ZERO', 'DIAG_MASK_INF', 'ADD', 'ADD1', 'SUB', 'MUL', 'DIV', 'SQR', 'SQRT', 'LOG',
               'UNARY', 'ROPE', 'RMS_NORM', 'SOFT_MAX'}

FLAG_INPUT = 1
FLAG_OUTPUT = 2


def row_size(t, ne0):
    b, n = TYPES[t]
    return b * ne0 // n


class Buffer:
    """A pre-allocated buffer (model weights or KV cache) on a device ('cpu' or an int GPU index)."""

    def __init__(self, device, usage, host=None):
        self.device = device
        self.usage = usage  # 'weights' or 'any'
        self.host = (device == 'cpu') if host is None else host


_CUR_LAYER = [None]


def set_layer(il):
    _CUR_LAYER[0] = il


class T:
    _next = 0

    def __init__(self, ne, type='f32', op='NONE', src=(), view_src=None, view_offs=0, nb=None, name='',
                 buffer=None):
        ne = list(ne) + [1] * (4 - len(ne))
        self.ne = ne
        self.type = type
        b, n = TYPES[type]
        if nb is None:
            nb = [b, b * (ne[0] // n)]
            nb.append(nb[1] * ne[1])
            nb.append(nb[2] * ne[2])
        self.nb = list(nb)
        self.op = op
        self.src = list(src) + [None] * (10 - len(src))
        # ggml_new_tensor_impl: a view of a view points at the root
        if view_src is not None and view_src.view_src is not None:
            view_offs += view_src.view_offs
            view_src = view_src.view_src
        self.view_src = view_src
        self.view_offs = view_offs
        self.name = name
        self.flags = 0
        self.buffer = buffer if view_src is None else None
        # data != NULL for tensors living in a pre-allocated buffer (weights, KV cache)
        root = view_src if view_src is not None else self
        self.has_data = root.buffer is not None
        self.id = T._next
        self.il = _CUR_LAYER[0]
        T._next += 1

    def nbytes(self):
        b, n = TYPES[self.type]
        if n == 1:
            s = b
            for i in range(4):
                s += (self.ne[i] - 1) * self.nb[i]
        else:
            s = self.ne[0] * self.nb[0] // n
            for i in range(1, 4):
                s += (self.ne[i] - 1) * self.nb[i]
        return s

    def nrows(self):
        return self.ne[1] * self.ne[2] * self.ne[3]

    def is_contiguous(self):
        b, n = TYPES[self.type]
        nb0 = b
        nb1 = nb0 * (self.ne[0] // n)
        return self.nb[0] == nb0 and self.nb[1] == nb1 and self.nb[2] == nb1 * self.ne[1] and \
            self.nb[3] == self.nb[2] * self.ne[2]

    def __repr__(self):
        return f"T({self.name or self.op} {self.type} {self.ne[:4]})"


# ------------------------------------------------------------------------------------------------ ops
def new_input(ne, type='f32', name=''):
    t = T(ne, type, name=name)
    t.flags |= FLAG_INPUT
    return t


def weight(ne, type, device, name=''):
    return T(ne, type, name=name, buffer=Buffer(device, 'weights'))


def dup(a, op, src, name=''):
    return T(a.ne, a.type, op=op, src=src, name=name)


def view_tensor(a, op='NONE'):
    return T(a.ne, a.type, op=op, src=[a] if op != 'NONE' else [], view_src=a, view_offs=0, nb=a.nb)


def view(a, ne, nb, offs, op='VIEW', name=''):
    t = T(ne, a.type, op=op, src=[a], view_src=a, view_offs=offs, nb=nb, name=name)
    return t


def view_1d(a, ne0, offs):
    return view(a, [ne0], None, offs)


def view_2d(a, ne0, ne1, nb1, offs):
    b = TYPES[a.type][0]
    return view(a, [ne0, ne1], [b, nb1, nb1 * ne1, nb1 * ne1], offs)


def view_3d(a, ne0, ne1, ne2, nb1, nb2, offs):
    b = TYPES[a.type][0]
    return view(a, [ne0, ne1, ne2], [b, nb1, nb2, nb2 * ne2], offs)


def view_4d(a, ne0, ne1, ne2, ne3, nb1, nb2, nb3, offs):
    b = TYPES[a.type][0]
    return view(a, [ne0, ne1, ne2, ne3], [b, nb1, nb2, nb3], offs)


def reshape(a, *ne):
    return view(a, list(ne), None, 0, op='RESHAPE')


def permute(a, ax0, ax1, ax2, ax3):
    ne = [0] * 4
    nb = [0] * 4
    for src_i, dst_i in enumerate((ax0, ax1, ax2, ax3)):
        ne[dst_i] = a.ne[src_i]
        nb[dst_i] = a.nb[src_i]
    return view(a, ne, nb, 0, op='PERMUTE')


def transpose(a):
    ne = [a.ne[1], a.ne[0], a.ne[2], a.ne[3]]
    nb = [a.nb[1], a.nb[0], a.nb[2], a.nb[3]]
    return view(a, ne, nb, 0, op='TRANSPOSE')


def mul_mat(a, b, name=''):
    return T([a.ne[1], b.ne[1], b.ne[2], b.ne[3]], 'f32', op='MUL_MAT', src=[a, b], name=name)


def mul_mat_id(a, b, ids, name=''):
    return T([a.ne[1], ids.ne[0], b.ne[2], 1], 'f32', op='MUL_MAT_ID', src=[a, b, ids], name=name)


def get_rows(a, b, name=''):
    t = 'i32' if a.type == 'i32' else 'f32'
    return T([a.ne[0], b.ne[0], b.ne[1], b.ne[2]], t, op='GET_ROWS', src=[a, b], name=name)


def rms_norm(a, name=''):
    return dup(a, 'RMS_NORM', [a], name)


def norm(a, name=''):
    return dup(a, 'NORM', [a], name)


def add(a, b, name=''):
    return dup(a, 'ADD', [a, b], name)


def mul(a, b, name=''):
    return dup(a, 'MUL', [a, b], name)


def div(a, b, name=''):
    return dup(a, 'DIV', [a, b], name)


def scale(a, name=''):
    return dup(a, 'SCALE', [a], name)


def unary(a, name=''):
    return dup(a, 'UNARY', [a], name)


def rope(a, pos, factors=None, name=''):
    return dup(a, 'ROPE', [a, pos, factors], name)


def soft_max_ext(a, mask, name=''):
    return dup(a, 'SOFT_MAX', [a, mask], name)


def soft_max(a, name=''):
    return dup(a, 'SOFT_MAX', [a, None], name)


def sigmoid(a, name=''):
    return dup(a, 'UNARY', [a], name)


def cont(a, *ne, name=''):
    ne = list(ne) if ne else a.ne
    return T(ne, a.type, op='CONT', src=[a], name=name)


def cpy(a, b):
    t = view_tensor(b)
    t.op = 'CPY'
    t.src = [a, b] + [None] * 8
    return t


def cast(a, type):
    t = T(a.ne, type, op='CPY')
    t.src = [a, t] + [None] * 8   # ggml_cast: src[1] = result
    return t


def argsort(a, name=''):
    return T(a.ne, 'i32', op='ARGSORT', src=[a], name=name)


def top_k(a, k):
    r = argsort(a)
    return view_4d(r, k, r.ne[1], r.ne[2], r.ne[3], r.nb[1], r.nb[2], r.nb[3], 0)


def sum_rows(a):
    return T([1, a.ne[1], a.ne[2], a.ne[3]], a.type, op='SUM_ROWS', src=[a])


def flash_attn_ext(q, k, v, mask, name=''):
    return T([v.ne[0], q.ne[2], q.ne[1], q.ne[3]], 'f32', op='FLASH_ATTN_EXT', src=[q, k, v, mask], name=name)


def concat(a, b, dim):
    ne = list(a.ne)
    ne[dim] += b.ne[dim]
    return T(ne, a.type, op='CONCAT', src=[a, b])


def repeat(a, b):
    return T(b.ne, a.type, op='REPEAT', src=[a])


# ik_llama.cpp fused ops (ggml.c of ikawrakow/ik_llama.cpp)
def fused_rms_norm(a, w, name=''):
    if w.nrows() > 1 or a.ne[0] != w.ne[0]:
        return mul(rms_norm(a), w, name)
    return dup(a, 'FUSED_RMS_NORM', [a, w], name)


def fused_mul_unary(a, b, name=''):
    return dup(a, 'FUSED_MUL_UNARY', [a, b], name)


def multi_add(a, n):
    return T(a.ne, a.type, op='MULTI_ADD', src=[a])


def moe_up_gate(up, gate, b, ids, name=''):
    if up.type != gate.type or up.ne != gate.ne:
        return fused_mul_unary(mul_mat_id(gate, b, ids), mul_mat_id(up, b, ids))
    return T([up.ne[1], ids.ne[0], b.ne[2], 1], 'f32', op='MOE_FUSED_UP_GATE', src=[up, gate, b, ids], name=name)


# --------------------------------------------------------------------------------------------- graph
class Graph:
    def __init__(self):
        self.nodes = []
        self.leafs = []
        self.visited = set()

    def expand(self, t):
        # ggml_visit_parents, left-to-right, iterative to avoid Python's recursion limit
        stack = [(t, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                if node.id in self.visited:
                    continue
                self.visited.add(node.id)
            while i < 10 and node.src[i] is None:
                i += 1
            if i < 10:
                stack.append((node, i + 1))
                child = node.src[i]
                if child.id not in self.visited:
                    stack.append((child, 0))
                continue
            if node.op == 'NONE':
                self.leafs.append(node)
            else:
                self.nodes.append(node)


