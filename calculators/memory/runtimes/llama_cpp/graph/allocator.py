"""ggml's graph allocator (ggml/src/ggml-alloc.c): tensors allocated in graph order, freed after their last
consumer, in place where an op allows it, best-fit over free blocks; a buffer is the highest offset handed out."""

from calculators.memory.runtimes.llama_cpp.graph.ggml import (
    FLAG_INPUT,
    FLAG_OUTPUT,
    INPLACE_OPS,
)


# ------------------------------------------------------------------------------------------- gallocr
class DynTallocr:
    def __init__(self, alignment):
        self.alignment = alignment
        self.blocks = [[0, 1 << 62]]
        self.max_size = 0

    def _align(self, size):
        a = self.alignment
        return (size + a - 1) // a * a

    def alloc(self, size):
        size = self._align(size)
        best, best_size = -1, None
        for i in range(len(self.blocks) - 1):
            bs = self.blocks[i][1]
            if bs >= size and (best_size is None or bs <= best_size):
                best, best_size = i, bs
        if best == -1:
            best = len(self.blocks) - 1
        blk = self.blocks[best]
        off = blk[0]
        blk[0] += size
        blk[1] -= size
        if blk[1] == 0:
            del self.blocks[best]
        self.max_size = max(self.max_size, off + size)
        return off

    def free(self, off, size):
        size = self._align(size)
        bl = self.blocks
        for i, blk in enumerate(bl):
            if blk[0] + blk[1] == off:
                blk[1] += size
                if i < len(bl) - 1 and blk[0] + blk[1] == bl[i + 1][0]:
                    blk[1] += bl[i + 1][1]
                    del bl[i + 1]
                return
            if off + size == blk[0]:
                blk[0] = off
                blk[1] += size
                if i > 0 and bl[i - 1][0] + bl[i - 1][1] == blk[0]:
                    bl[i - 1][1] += blk[1]
                    del bl[i]
                return
        pos = 0
        while pos < len(bl) and bl[pos][0] < off:
            pos += 1
        bl.insert(pos, [off, size])


class Gallocr:
    """ggml_gallocr_reserve_n over the scheduler's graph copy; one dyn_tallocr per distinct buffer type."""

    def __init__(self, backends):
        self.backends = backends
        self.tallocs = {}
        for b in backends:
            if b.buft not in self.tallocs:
                self.tallocs[b.buft] = DynTallocr(b.alignment)
        self.sizes = {}
        self.peak = {}        # buft -> (tensor whose allocation set the final max_size, live set at that moment)
        self.peak_size = {}

    def _take_over(self, parent, node, buft):
        live = self.live.setdefault(buft, {})
        e = live.pop(parent.id, None)
        if e is not None:
            live[node.id] = (node, e[1], e[2])

    def reserve(self, nodes, node_b, leafs, leaf_b):
        for k in self.tallocs:
            self.tallocs[k] = DynTallocr(self.tallocs[k].alignment)
        self.live = {}
        hn = {}

        def H(t):
            h = hn.get(t.id)
            if h is None:
                h = hn[t.id] = {'children': 0, 'views': 0, 'buf': None, 'off': 0, 'allocated': False}
            return h

        backends = self.backends

        def is_allocated(t):
            return t.has_data or H(t)['allocated']

        def alloc_node(t, b):
            h = H(t)
            if is_allocated(t) or t.view_src is not None:
                return
            h['allocated'] = True
            if t.op in INPLACE_OPS:
                for p in t.src:
                    if p is None:
                        continue
                    if not H(p)['allocated']:
                        continue
                    if (p.flags & FLAG_OUTPUT) or (p.view_src is not None and p.view_src.flags & FLAG_OUTPUT):
                        continue
                    if p.type != t.type or p.ne != t.ne or p.nb != t.nb:
                        continue
                    ph = H(p)
                    if ph['children'] == 1 and ph['views'] == 0:
                        if p.view_src is not None:
                            vs = p.view_src
                            vh = H(vs)
                            if vh['views'] == 1 and vh['children'] == 0 and vs.has_data == p.has_data:
                                h['buf'], h['off'] = ph['buf'], ph['off']
                                ph['allocated'] = False
                                vh['allocated'] = False
                                self._take_over(vs, t, backends[ph['buf']].buft)
                                return
                        else:
                            h['buf'], h['off'] = ph['buf'], ph['off']
                            ph['allocated'] = False
                            self._take_over(p, t, backends[ph['buf']].buft)
                            return
            be = backends[b]
            size = be.alloc_size(t)
            ta = self.tallocs[be.buft]
            before = ta.max_size
            off = ta.alloc(size)
            h['buf'], h['off'] = b, off
            live = self.live.setdefault(be.buft, {})
            live[t.id] = (t, off, size)
            if ta.max_size > before and ta.max_size >= self.peak_size.get(be.buft, 0):
                self.peak_size[be.buft] = ta.max_size
                self.peak[be.buft] = (t, sorted(live.values(), key=lambda x: x[1]))

        def free_node(t):
            if t.flags & FLAG_OUTPUT:
                return
            h = H(t)
            be = backends[h['buf']]
            self.tallocs[be.buft].free(h['off'], be.alloc_size(t))
            h['allocated'] = False
            self.live.get(be.buft, {}).pop(t.id, None)

        for l, b in zip(leafs, leaf_b):
            alloc_node(l, b)
        for nd, b in zip(nodes, node_b):
            if nd.view_src is not None and nd.op != 'NONE':
                H(nd.view_src)['views'] += 1
            if nd.flags & FLAG_INPUT:
                alloc_node(nd, b)
            for s in nd.src:
                if s is None:
                    continue
                H(s)['children'] += 1
                if s.flags & FLAG_INPUT:
                    alloc_node(s, b)
        for nd, b in zip(nodes, node_b):
            for p in nd.src:
                if p is not None:
                    alloc_node(p, b)
            alloc_node(nd, b)
            for p in nd.src:
                if p is None:
                    continue
                ph = H(p)
                ph['children'] -= 1
                if ph['children'] == 0 and ph['views'] == 0:
                    if p.view_src is not None:
                        vs = p.view_src
                        vh = H(vs)
                        vh['views'] -= 1
                        if vh['views'] == 0 and vh['children'] == 0 and vh['allocated']:
                            free_node(vs)
                    elif ph['allocated']:
                        free_node(p)
        # buffers only grow across reserves (ggml_gallocr_reserve_n: new_size > cur_size)
        for k, ta in self.tallocs.items():
            self.sizes[k] = max(self.sizes.get(k, 0), ta.max_size)
        return dict(self.sizes)


