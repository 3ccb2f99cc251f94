"""The worst-case graphs llama.cpp and ik_llama.cpp build to reserve their compute buffers, per architecture
(mainline src/llama-graph.cpp and src/llama-model.cpp; ik_llama.cpp src/llama.cpp), shapes and placement only."""

from calculators.memory.runtimes.llama_cpp.graph.ggml import (
    TYPES,
    Buffer,
    Graph,
    T,
    add,
    cast,
    concat,
    cont,
    cpy,
    div,
    dup,
    flash_attn_ext,
    fused_mul_unary,
    fused_rms_norm,
    get_rows,
    moe_up_gate,
    mul,
    mul_mat,
    mul_mat_id,
    multi_add,
    new_input,
    permute,
    repeat,
    reshape,
    rms_norm,
    rope,
    row_size,
    scale,
    set_layer,
    sigmoid,
    soft_max,
    soft_max_ext,
    sum_rows,
    top_k,
    transpose,
    unary,
    view_1d,
    view_2d,
    view_3d,
    weight,
)

# ================================================================================ graphs


class Ctx:
    def __init__(self, arch, *, fork, n_ctx, n_tokens, flash_attn, type_k='f16', type_v='f16',
                 layer_dev=lambda il: 'cpu', override=None, output_dev='cpu', wtype=None,
                 fused_moe=False, mla=0, amb=0, hp=None):
        self.a = arch
        self.fork = fork
        self.n_ctx = n_ctx
        self.n_kv = n_ctx
        self.n_tokens = n_tokens
        self.n_outputs = n_tokens
        self.fa = flash_attn
        self.type_k, self.type_v = type_k, type_v
        self.layer_dev = layer_dev
        self.override = override or (lambda name: None)
        self.output_dev = output_dev
        self.wtype = wtype or (lambda name, default: default)
        self.fused_moe = fused_moe
        self.mla = mla
        self.amb = amb
        self.hp = hp or {}
        self.user_backend = {}   # tensor id -> backend index (ggml_backend_sched_set_tensor_backend)
        self.norm_cb = None      # callback for tensors named "norm" (mainline cb, full offload)
        self.weights = {}
        self.repack_cpu = False

    def W(self, name, ne, il=None, default='q4_K'):
        key = name
        if key in self.weights:
            return self.weights[key]
        dev = self.override(name)
        if dev is None:
            if name.startswith('token_embd'):
                dev = 'cpu'
            elif il is None:
                dev = self.output_dev
            else:
                dev = self.layer_dev(il)
        typ = self.wtype(name, 'f32' if len(ne) == 1 else default)
        w = weight(ne, typ, dev, name)
        # -rtr: CPU-resident matrices are repacked into CPU-only types (ik_llama.cpp)
        w.repacked = self.repack_cpu and dev == 'cpu' and len(ne) >= 2 and not name.startswith('token_embd')
        self.weights[key] = w
        return w

    def kv(self, il, n_embd_k_gqa, n_embd_v_gqa):
        key = ('kv', il)
        if key not in self.weights:
            dev = self.layer_dev(il)
            k = T([n_embd_k_gqa * self.n_ctx], self.type_k, name=f'cache_k_l{il}', buffer=Buffer(dev, 'any'))
            v = T([n_embd_v_gqa * self.n_ctx], self.type_v, name=f'cache_v_l{il}', buffer=Buffer(dev, 'any')) \
                if n_embd_v_gqa else None
            self.weights[key] = (k, v)
        return self.weights[key]


# ------------------------------------------------------------------------------------------ common
def inp_embd(c, n_embd):
    tok = new_input([c.n_tokens], 'i32', 'inp_tokens')
    tok_embd = c.W('token_embd.weight', [n_embd, c.a.vocab_size], default=c.hp.get('tok_embd_type', 'q4_K'))
    return get_rows(tok_embd, tok, 'inp_embd')


def kq_mask(c, name='KQ_mask'):
    m = new_input([c.n_kv, pad(c.n_tokens, 32)], 'f32', name)   # GGML_KQ_MASK_PAD = 32 (64 in later mainline)
    return cast(m, 'f16') if c.fa else m


def pad(x, n):
    return (x + n - 1) // n * n


def norm_w(c, x, w, il):
    """llm_build_norm / build_norm with an RMS weight."""
    if c.fork == 'ik':
        return fused_rms_norm(x, w)
    t = rms_norm(x, 'norm')
    if il is not None and c.norm_cb is not None:
        c.norm_cb(t, il)
    return mul(t, w)


def kv_store(c, gf, il, k_cur, v_cur, n_embd_k_gqa, n_embd_v_gqa):
    k_l, v_l = c.kv(il, n_embd_k_gqa, n_embd_v_gqa)
    n_tokens = c.n_tokens
    kv_head = c.n_ctx - n_tokens
    gf.expand(cpy(k_cur, view_1d(k_l, n_tokens * n_embd_k_gqa, row_size(k_l.type, n_embd_k_gqa) * kv_head)))
    if c.fork == 'mainline':
        v_cur = reshape(v_cur, n_embd_v_gqa, n_tokens)
    if c.fa:
        vview = view_1d(v_l, n_tokens * n_embd_v_gqa, row_size(v_l.type, n_embd_v_gqa) * kv_head)
    else:
        e = TYPES[v_l.type][0]
        vview = view_2d(v_l, n_tokens, n_embd_v_gqa, c.n_ctx * e, kv_head * e)
        v_cur = transpose(v_cur)
    gf.expand(cpy(v_cur, vview))


def attn(c, gf, il, q_cur, k_cur, v_cur, mask, wo, n_head, n_head_kv, hd_k, hd_v):
    """ik llm_build_kv/llm_build_kqv, mainline build_attn/build_attn_mha (unified cache, no MLA)."""
    gf.expand(q_cur)
    gf.expand(k_cur)
    gf.expand(v_cur)
    nk, nv = hd_k * n_head_kv, hd_v * n_head_kv
    kv_store(c, gf, il, k_cur, v_cur, nk, nv)
    k_l, v_l = c.kv(il, nk, nv)
    n_kv = c.n_kv
    q = permute(q_cur, 0, 2, 1, 3)
    if c.fork == 'ik':
        rk = row_size(k_l.type, hd_k)
        k = view_3d(k_l, hd_k, n_kv, n_head_kv, rk * n_head_kv, rk, 0)
    else:
        k = view_3d(k_l, hd_k, n_kv, n_head_kv, row_size(k_l.type, nk), row_size(k_l.type, hd_k), 0)
    if c.fa:
        v = view_3d(v_l, hd_v, n_kv, n_head_kv, row_size(v_l.type, nv), row_size(v_l.type, hd_v), 0)
        cur = flash_attn_ext(q, k, v, mask)
        cur = reshape(cur, hd_v * n_head, c.n_tokens)
    else:
        e = TYPES[v_l.type][0]
        v = view_3d(v_l, n_kv, hd_v, n_head_kv, e * c.n_ctx, e * c.n_ctx * hd_v, 0)
        kq = mul_mat(k, q, 'kq')
        if c.hp.get('attn_soft_cap') and c.fork == 'mainline':
            kq = scale(kq); kq = unary(kq); kq = scale(kq)
        if c.hp.get('attn_soft_cap') and c.fork == 'ik':
            kq = dup(kq, 'SOFTCAP_MAX', [kq, mask])
        else:
            kq = soft_max_ext(kq, mask)
        kqv = mul_mat(v, kq, 'kqv')
        cur = cont(permute(kqv, 0, 2, 1, 3), hd_v * n_head, c.n_tokens, name='kqv_merged_cont')
    gf.expand(cur)
    return mul_mat(wo, cur, 'attn_out')


def ffn_par(c, cur, il, n_embd, n_ff, gelu=False):
    up = c.W(f'blk.{il}.ffn_up.weight', [n_embd, n_ff], il)
    gate = c.W(f'blk.{il}.ffn_gate.weight', [n_embd, n_ff], il)
    down = c.W(f'blk.{il}.ffn_down.weight', [n_ff, n_embd], il)
    tmp = mul_mat(up, cur, 'ffn_up')
    g = mul_mat(gate, cur, 'ffn_gate')
    if c.fork == 'ik':
        g = fused_mul_unary(g, tmp)          # ik: GGML_OP_FUSED_MUL_UNARY, a new tensor
    elif c.hp.get('glu_split'):
        g = dup(g, 'GLU', [g, tmp])          # ggml_swiglu_split: GGML_OP_GLU, a new tensor
    else:
        g = unary(g, 'ffn_silu')             # in place over ffn_gate
        g = mul(g, tmp, 'ffn_gate_par')      # in place again
    return mul_mat(down, g, 'ffn_down')


def moe_ffn(c, cur, il, n_embd, n_ff, n_expert, n_used, gating='softmax', norm_w_=True, scale_w=False,
            probs_b=None):
    n_tokens = cur.ne[1]
    gate_inp = c.W(f'blk.{il}.ffn_gate_inp.weight', [n_embd, n_expert], il, default=c.hp.get('gate_inp_type', 'f32'))
    up_e = c.W(f'blk.{il}.ffn_up_exps.weight', [n_embd, n_ff, n_expert], il)
    gate_e = c.W(f'blk.{il}.ffn_gate_exps.weight', [n_embd, n_ff, n_expert], il)
    down_e = c.W(f'blk.{il}.ffn_down_exps.weight', [n_ff, n_embd, n_expert], il)
    logits = mul_mat(gate_inp, cur, 'ffn_moe_logits')
    probs = soft_max(logits) if gating == 'softmax' else sigmoid(logits)
    sel_probs = probs
    if probs_b is not None:
        sel_probs = add(probs, probs_b)
    selected = top_k(sel_probs, n_used)
    weights = get_rows(reshape(probs, 1, n_expert, n_tokens), selected, 'ffn_moe_weights')
    if norm_w_:
        weights = reshape(weights, n_used, n_tokens)
        wsum = sum_rows(weights)
        weights = div(weights, wsum)
        weights = reshape(weights, 1, n_used, n_tokens)
    if scale_w:
        weights = scale(weights)
    cur = reshape(cur, n_embd, 1, n_tokens)
    if c.fork == 'ik':
        if c.fused_moe:
            par = moe_up_gate(up_e, gate_e, cur, selected)
        else:
            up = mul_mat_id(up_e, cur, selected, 'ffn_moe_up')
            gate = mul_mat_id(gate_e, cur, selected, 'ffn_moe_gate')
            par = fused_mul_unary(gate, up)
        experts = mul_mat_id(down_e, par, selected, 'ffn_moe_down')
        experts = mul(experts, weights)
        v0 = view_2d(experts, n_embd, n_tokens, experts.nb[2], 0)
        if n_used == 1:
            return cont(v0)
        if n_used == 2:
            return add(v0, view_2d(experts, n_embd, n_tokens, experts.nb[2], experts.nb[1]))
        return multi_add(v0, n_used)
    up = mul_mat_id(up_e, cur, selected, 'ffn_moe_up')
    g = mul_mat_id(gate_e, cur, selected, 'ffn_moe_gate')
    if c.hp.get('glu_split'):
        g = dup(g, 'GLU', [g, up])
    else:
        g = unary(g, 'ffn_moe_silu')
        g = mul(g, up, 'ffn_moe_gate_par')
    experts = mul_mat_id(down_e, g, selected, 'ffn_moe_down')
    experts = mul(experts, weights)
    moe_out = None
    for i in range(n_used):
        ce = view_2d(experts, n_embd, n_tokens, experts.nb[2], i * experts.nb[1])
        moe_out = ce if i == 0 else add(moe_out, ce)
    if n_used == 1:
        moe_out = cont(moe_out)
    return moe_out


def output_head(c, gf, cur, n_embd):
    w = c.W('output_norm.weight', [n_embd])
    cur = norm_w(c, cur, w, None)
    out = c.W('output.weight', [n_embd, c.a.vocab_size], default=c.hp.get('output_type', 'q6_K'))
    cur = mul_mat(out, cur, 'result_output')
    gf.expand(cur)
    return cur


# ------------------------------------------------------------------------------------- architectures
def build_qwen3(c, moe=False):
    """ik build_qwen3/build_qwen3moe; mainline llm_build_qwen3/llm_build_qwen3moe (identical node order)."""
    a = c.a
    gf = Graph()
    n_embd, hd, n_head, n_head_kv = a.hidden_size, a.head_dim, a.num_heads, a.num_kv_heads
    set_layer('in')
    inpL = inp_embd(c, n_embd)
    inp_pos = new_input([c.n_tokens], 'i32', 'inp_pos')
    mask = kq_mask(c)
    n_tok = c.n_tokens
    for il in range(a.num_layers):
        set_layer(il)
        inpSA = inpL
        cur = norm_w(c, inpL, c.W(f'blk.{il}.attn_norm.weight', [n_embd], il), il)
        wq = c.W(f'blk.{il}.attn_q.weight', [n_embd, hd * n_head], il)
        wk = c.W(f'blk.{il}.attn_k.weight', [n_embd, hd * n_head_kv], il)
        wv = c.W(f'blk.{il}.attn_v.weight', [n_embd, hd * n_head_kv], il)
        wo = c.W(f'blk.{il}.attn_output.weight', [hd * n_head, n_embd], il)
        Q = mul_mat(wq, cur, 'Qcur')
        K = mul_mat(wk, cur, 'Kcur')
        V = mul_mat(wv, cur, 'Vcur')
        qn = c.W(f'blk.{il}.attn_q_norm.weight', [hd], il)
        kn = c.W(f'blk.{il}.attn_k_norm.weight', [hd], il)
        if c.fork == 'ik':
            Q = reshape(Q, hd, n_head, n_tok)
            Q = norm_w(c, Q, qn, il)
            Q = rope(Q, inp_pos)
            K = reshape(K, hd, n_head_kv, n_tok)
            K = norm_w(c, K, kn, il)
            K = rope(K, inp_pos)
        else:
            Q = reshape(Q, hd, n_head, n_tok)
            K = reshape(K, hd, n_head_kv, n_tok)
            V = reshape(V, hd, n_head_kv, n_tok)
            Q = norm_w(c, Q, qn, il)
            Q = rope(Q, inp_pos)
            K = norm_w(c, K, kn, il)
            K = rope(K, inp_pos)
        cur = attn(c, gf, il, Q, K, V, mask, wo, n_head, n_head_kv, hd, hd)
        if il == a.num_layers - 1:
            out_ids = new_input([c.n_outputs], 'i32', 'inp_out_ids')
            cur = get_rows(cur, out_ids)
            inpSA = get_rows(inpSA, out_ids)
        ffn_inp = add(cur, inpSA, 'ffn_inp')
        cur = norm_w(c, ffn_inp, c.W(f'blk.{il}.ffn_norm.weight', [n_embd], il), il)
        if moe:
            cur = moe_ffn(c, cur, il, n_embd, a.moe_intermediate_size, a.num_experts, a.experts_per_token)
        else:
            cur = ffn_par(c, cur, il, n_embd, a.intermediate_size)
        cur = add(cur, ffn_inp, 'l_out')
        inpL = cur
    set_layer('out')
    output_head(c, gf, inpL, n_embd)
    return gf


def build_llama(c):
    """mainline llm_build_llama (llama 3.x: rope_freqs factors)."""
    a = c.a
    gf = Graph()
    n_embd, hd, n_head, n_head_kv = a.hidden_size, a.head_dim, a.num_heads, a.num_kv_heads
    set_layer('in')
    inpL = inp_embd(c, n_embd)
    inp_pos = new_input([c.n_tokens], 'i32', 'inp_pos')
    mask = kq_mask(c)
    n_tok = c.n_tokens
    for il in range(a.num_layers):
        set_layer(il)
        inpSA = inpL
        cur = norm_w(c, inpL, c.W(f'blk.{il}.attn_norm.weight', [n_embd], il), il)
        rf = c.W('rope_freqs.weight', [hd // 2], 0) if c.hp.get('rope_freqs', True) else None
        wq = c.W(f'blk.{il}.attn_q.weight', [n_embd, hd * n_head], il)
        wk = c.W(f'blk.{il}.attn_k.weight', [n_embd, hd * n_head_kv], il)
        wv = c.W(f'blk.{il}.attn_v.weight', [n_embd, hd * n_head_kv], il)
        wo = c.W(f'blk.{il}.attn_output.weight', [hd * n_head, n_embd], il)
        Q = mul_mat(wq, cur, 'Qcur')
        K = mul_mat(wk, cur, 'Kcur')
        V = mul_mat(wv, cur, 'Vcur')
        Q = reshape(Q, hd, n_head, n_tok)
        K = reshape(K, hd, n_head_kv, n_tok)
        V = reshape(V, hd, n_head_kv, n_tok)
        Q = rope(Q, inp_pos, rf)
        K = rope(K, inp_pos, rf)
        cur = attn(c, gf, il, Q, K, V, mask, wo, n_head, n_head_kv, hd, hd)
        if il == a.num_layers - 1:
            out_ids = new_input([c.n_outputs], 'i32', 'inp_out_ids')
            cur = get_rows(cur, out_ids)
            inpSA = get_rows(inpSA, out_ids)
        ffn_inp = add(cur, inpSA, 'ffn_inp')
        cur = norm_w(c, ffn_inp, c.W(f'blk.{il}.ffn_norm.weight', [n_embd], il), il)
        cur = ffn_par(c, cur, il, n_embd, a.intermediate_size)
        cur = add(cur, ffn_inp, 'l_out')
        inpL = cur
    set_layer('out')
    output_head(c, gf, inpL, n_embd)
    return gf


def build_gemma3(c):
    """ik build_gemma3 (2025: two f32 masks over the whole cache, GELU FFN through ggml_fused_mul_unary)."""
    a = c.a
    gf = Graph()
    n_embd, hd, n_head, n_head_kv = a.hidden_size, a.head_dim, a.num_heads, a.num_kv_heads
    set_layer('in')
    inpL = inp_embd(c, n_embd)
    inpL = scale(inpL, 'inp_scaled')
    inp_pos = new_input([c.n_tokens], 'i32', 'inp_pos')
    mask = kq_mask(c, 'KQ_mask')
    mask_swa = kq_mask(c, 'KQ_mask_swa')
    n_tok = c.n_tokens
    for il in range(a.num_layers):
        set_layer(il)
        sliding = (il + 1) % 6 != 0
        m = mask_swa if sliding else mask
        cur = norm_w(c, inpL, c.W(f'blk.{il}.attn_norm.weight', [n_embd], il), il)
        wq = c.W(f'blk.{il}.attn_q.weight', [n_embd, hd * n_head], il)
        wk = c.W(f'blk.{il}.attn_k.weight', [n_embd, hd * n_head_kv], il)
        wv = c.W(f'blk.{il}.attn_v.weight', [n_embd, hd * n_head_kv], il)
        wo = c.W(f'blk.{il}.attn_output.weight', [hd * n_head, n_embd], il)
        Q = mul_mat(wq, cur, 'Qcur')
        K = mul_mat(wk, cur, 'Kcur')
        V = mul_mat(wv, cur, 'Vcur')
        Q = reshape(Q, hd, n_head, n_tok)
        Q = norm_w(c, Q, c.W(f'blk.{il}.attn_q_norm.weight', [hd], il), il)
        Q = rope(Q, inp_pos)
        K = reshape(K, hd, n_head_kv, n_tok)
        K = norm_w(c, K, c.W(f'blk.{il}.attn_k_norm.weight', [hd], il), il)
        K = rope(K, inp_pos)
        cur = attn(c, gf, il, Q, K, V, m, wo, n_head, n_head_kv, hd, hd)
        cur = norm_w(c, cur, c.W(f'blk.{il}.post_attention_norm.weight', [n_embd], il), il)
        if il == a.num_layers - 1:
            out_ids = new_input([c.n_outputs], 'i32', 'inp_out_ids')
            cur = get_rows(cur, out_ids)
            inpL = get_rows(inpL, out_ids)
        sa_out = add(cur, inpL, 'sa_out')
        cur = norm_w(c, sa_out, c.W(f'blk.{il}.ffn_norm.weight', [n_embd], il), il)
        cur = ffn_par(c, cur, il, n_embd, a.intermediate_size, gelu=True)
        cur = norm_w(c, cur, c.W(f'blk.{il}.post_ffw_norm.weight', [n_embd], il), None)
        cur = add(cur, sa_out, 'l_out')
        inpL = cur
    set_layer('out')
    output_head(c, gf, inpL, n_embd)
    return gf


# ------------------------------------------------------------------------------------------ deepseek2
def ds_dims(a):
    """DeepSeek-V2/V3 dimensions from the catalog's tensor list (HF names)."""
    d = {'q_lora': 0, 'n_dense': 0, 'n_ff_shexp': 0}
    dense_layers = set()
    for t in a.tensors:
        n = t.name
        if n.endswith('q_a_proj.weight'):
            d['q_lora'] = t.shape[0]
        elif n.endswith('kv_a_proj_with_mqa.weight'):
            d['kv_a'] = t.shape[0]
        elif n.endswith('kv_a_layernorm.weight'):
            d['kv_lora'] = t.shape[0]
        elif n.endswith('kv_b_proj.weight'):
            d['kv_b'] = t.shape[0]
        elif n.endswith('q_b_proj.weight') or n.endswith('self_attn.q_proj.weight'):
            d['q_out'] = t.shape[0]
        elif 'shared_experts.gate_proj' in n:
            d['n_ff_shexp'] = t.shape[0]
        elif n.endswith('mlp.gate_proj.weight') and 'experts' not in n:
            dense_layers.add(t.layer)
    d['n_dense'] = len(dense_layers)
    d['rope'] = d['kv_a'] - d['kv_lora']
    nh = a.num_heads
    d['head_k'] = d['q_out'] // nh
    d['nope'] = d['head_k'] - d['rope']
    d['head_v'] = d['kv_b'] // nh - d['nope']
    return d


def build_deepseek2_ik(c):
    """ik_llama.cpp build_deepseek2: mla=0 (full K/V through llm_build_kv) or mla=2/3 with FA
    (the pp_opt branch: per head group, kv_b expands the cached latent to f32 K/V for all n_kv cells;
    -amb halves the head group until the f32 expansion fits in attn_max_batch MiB)."""
    a = c.a
    d = ds_dims(a)
    gf = Graph()
    n_embd, nh = a.hidden_size, a.num_heads
    n_tok = c.n_tokens
    rope_w, nope, hk, hv, kvl = d['rope'], d['nope'], d['head_k'], d['head_v'], d['kv_lora']
    set_layer('in')
    inpL = inp_embd(c, n_embd)
    inp_pos = new_input([c.n_tokens], 'i32', 'inp_pos')
    mask = kq_mask(c)
    pp_opt = n_tok >= 128
    gating = c.hp.get('gating', 'sigmoid')
    for il in range(a.num_layers):
        set_layer(il)
        inpSA = inpL
        cur = norm_w(c, inpL, c.W(f'blk.{il}.attn_norm.weight', [n_embd], il), il)
        if d['q_lora']:
            q = mul_mat(c.W(f'blk.{il}.attn_q_a.weight', [n_embd, d['q_lora']], il), cur)
            q = norm_w(c, q, c.W(f'blk.{il}.attn_q_a_norm.weight', [d['q_lora']], il), il)
            q = mul_mat(c.W(f'blk.{il}.attn_q_b.weight', [d['q_lora'], nh * hk], il), q)
        else:
            q = mul_mat(c.W(f'blk.{il}.attn_q.weight', [n_embd, nh * hk], il), cur)
        e = 4
        q_nope = view_3d(q, nope, nh, n_tok, e * hk, e * hk * nh, 0)
        q_rope = view_3d(q, rope_w, nh, n_tok, e * hk, e * hk * nh, e * nope)
        q_rope = rope(q_rope, inp_pos)
        kvrc = mul_mat(c.W(f'blk.{il}.attn_kv_a_mqa.weight', [n_embd, kvl + rope_w], il), cur)
        k_rope = view_3d(kvrc, rope_w, 1, n_tok, kvrc.nb[1], kvrc.nb[1], e * kvl)
        k_rope = rope(k_rope, inp_pos)
        kv_comp = view_2d(kvrc, kvl, n_tok, kvrc.nb[1], 0)
        kv_comp = norm_w(c, kv_comp, c.W(f'blk.{il}.attn_kv_a_norm.weight', [kvl], il), il)
        wo = c.W(f'blk.{il}.attn_output.weight', [nh * hv, n_embd], il)
        if c.mla:
            key = ('kv', il)
            if key not in c.weights:
                dev = c.layer_dev(il)
                c.weights[key] = (T([kvl + rope_w, c.n_ctx], c.type_k, name=f'cache_k_l{il}', buffer=Buffer(dev, 'any')), None)
            k_l = c.weights[key][0]
            kvr = concat(permute(k_rope, 0, 2, 1, 3), kv_comp, 0)
            rs = row_size(k_l.type, kvl + rope_w)
            gf.expand(cpy(kvr, view_2d(k_l, kvl + rope_w, n_tok, rs, rs * (c.n_ctx - n_tok))))
            assert c.fa and pp_opt and c.mla > 1
            n_kv = c.n_kv
            kv_nope = view_2d(k_l, kvl, n_kv, k_l.nb[1], row_size(k_l.type, rope_w))
            wkv_b = c.W(f'blk.{il}.attn_kv_b.weight', [kvl, nh * (nope + hv)], il, default='q8_0')
            kv_f32_size = wkv_b.ne[1] * n_kv * 4 // MiB_
            n_max_head = nh
            if c.amb > 0 and kv_f32_size > c.amb:
                while n_max_head % 2 == 0 and kv_f32_size > c.amb:
                    n_max_head //= 2
                    kv_f32_size //= 2
            n_per_head = wkv_b.ne[1] // nh
            kv_rope_v = view_3d(k_l, rope_w, n_kv, 1, k_l.nb[1], k_l.nb[1] * n_kv, 0)
            kv_type = c.hp.get('mla_kv_type', 'f16')
            if kv_rope_v.type == kv_type:
                k_r = repeat(kv_rope_v, T([rope_w, n_kv, n_max_head], kv_type))
            else:
                k_r = repeat(cast(kv_rope_v, 'f16'), T([rope_w, n_kv, n_max_head], 'f16'))
            qc = concat(q_rope, q_nope, 0)
            qc = permute(qc, 0, 2, 1, 3)
            gf.expand(qc)
            cur = None
            for it in range(nh // n_max_head):
                wv = view_2d(wkv_b, wkv_b.ne[0], n_per_head * n_max_head, wkv_b.nb[1],
                             wkv_b.nb[1] * n_per_head * n_max_head * it)
                kv_f32 = mul_mat(wv, kv_nope, 'kv_f32')
                row = 4 * n_max_head * (nope + hv)
                v_f32 = view_3d(kv_f32, hv, n_kv, n_max_head, row, 4 * (nope + hv), 4 * nope)
                kn_f32 = view_3d(kv_f32, nope, n_kv, n_max_head, row, 4 * (nope + hv), 0)
                v = cast(v_f32, kv_type)
                k_nope = cast(kn_f32, kv_type)
                gf.expand(k_nope)
                gf.expand(v)
                k = concat(k_r, k_nope, 0)
                gf.expand(k)
                q_it = view_3d(qc, qc.ne[0], qc.ne[1], n_max_head, qc.nb[1], qc.nb[2], qc.nb[2] * n_max_head * it)
                kqv = flash_attn_ext(q_it, k, v, mask)
                r = reshape(kqv, hv * n_max_head, n_tok)
                cur = r if it == 0 else concat(cur, r, 0)
            gf.expand(cur)
            cur = mul_mat(wo, cur, 'kqv_out')
        else:
            kv = mul_mat(c.W(f'blk.{il}.attn_kv_b.weight', [kvl, nh * (nope + hv)], il), kv_comp)
            k_nope = view_3d(kv, nope, nh, n_tok, 4 * (nope + hv), 4 * nh * (nope + hv), 0)
            v_st = view_3d(kv, hv, nh, n_tok, 4 * (nope + hv), 4 * (nope + hv) * nh, 4 * nope)
            v_st = cont(v_st)
            v_st = view_2d(v_st, hv * nh, n_tok, 4 * hv * nh, 0)
            q_st = concat(q_nope, q_rope, 0)
            k_st = concat(k_nope, repeat(k_rope, q_rope), 0)
            cur = attn(c, gf, il, q_st, k_st, v_st, mask, wo, nh, nh, hk, hv)
        if il == a.num_layers - 1:
            out_ids = new_input([c.n_outputs], 'i32', 'inp_out_ids')
            cur = get_rows(cur, out_ids)
            inpSA = get_rows(inpSA, out_ids)
        ffn_inp = add(cur, inpSA, 'ffn_inp')
        cur = norm_w(c, ffn_inp, c.W(f'blk.{il}.ffn_norm.weight', [n_embd], il), il)
        if il < d['n_dense']:
            cur = ffn_par(c, cur, il, n_embd, a.intermediate_size)
        else:
            pb = c.W(f'blk.{il}.exp_probs_b.bias', [a.num_experts], il) if gating == 'sigmoid' else None
            moe = moe_ffn(c, cur, il, n_embd, a.moe_intermediate_size, a.num_experts, a.experts_per_token,
                          gating=gating, norm_w_=c.hp.get('norm_w', True), scale_w=True, probs_b=pb)
            sh = ffn_par_named(c, cur, il, n_embd, d['n_ff_shexp'], 'shexp')
            cur = add(moe, sh, 'ffn_out')
        cur = add(cur, ffn_inp, 'l_out')
        inpL = cur
    set_layer('out')
    output_head(c, gf, inpL, n_embd)
    return gf


MiB_ = 1024 * 1024


def ffn_par_named(c, cur, il, n_embd, n_ff, suffix):
    up = c.W(f'blk.{il}.ffn_up_{suffix}.weight', [n_embd, n_ff], il)
    gate = c.W(f'blk.{il}.ffn_gate_{suffix}.weight', [n_embd, n_ff], il)
    down = c.W(f'blk.{il}.ffn_down_{suffix}.weight', [n_ff, n_embd], il)
    tmp = mul_mat(up, cur)
    g = mul_mat(gate, cur)
    if c.fork == 'ik':
        g = fused_mul_unary(g, tmp)
    elif c.hp.get('glu_split'):
        g = dup(g, 'GLU', [g, tmp])
    else:
        g = unary(g)
        g = mul(g, tmp)
    return mul_mat(down, g)


def build_deepseek2_mainline(c):
    """mainline llm_build_deepseek2 (llama-model.cpp, April-May 2025): MLA GGUFs (wk_b/wv_b) take the
    absorbed path (MQA over the 576-wide latent, V = 512-wide latent, then wv_b 'decompresses' per head);
    older GGUFs take the MHA path (wkv_b expands K/V per token, full 192/128-wide K/V cached)."""
    a = c.a
    d = ds_dims(a)
    gf = Graph()
    n_embd, nh = a.hidden_size, a.num_heads
    n_tok = c.n_tokens
    rope_w, nope, hk, hv, kvl = d['rope'], d['nope'], d['head_k'], d['head_v'], d['kv_lora']
    set_layer('in')
    inpL = inp_embd(c, n_embd)
    inp_pos = new_input([c.n_tokens], 'i32', 'inp_pos')
    mask = kq_mask(c)
    for il in range(a.num_layers):
        set_layer(il)
        inpSA = inpL
        cur = norm_w(c, inpL, c.W(f'blk.{il}.attn_norm.weight', [n_embd], il), il)
        if d['q_lora']:
            q = mul_mat(c.W(f'blk.{il}.attn_q_a.weight', [n_embd, d['q_lora']], il), cur)
            q = norm_w(c, q, c.W(f'blk.{il}.attn_q_a_norm.weight', [d['q_lora']], il), il)
            q = mul_mat(c.W(f'blk.{il}.attn_q_b.weight', [d['q_lora'], nh * hk], il), q)
        else:
            q = mul_mat(c.W(f'blk.{il}.attn_q.weight', [n_embd, nh * hk], il), cur)
        q_nope = view_3d(q, nope, nh, n_tok, 4 * hk, 4 * hk * nh, 0)
        q_pe = view_3d(q, rope_w, nh, n_tok, 4 * hk, 4 * hk * nh, 4 * nope)
        kvc = mul_mat(c.W(f'blk.{il}.attn_kv_a_mqa.weight', [n_embd, kvl + rope_w], il), cur)
        kv_cmpr = view_2d(kvc, kvl, n_tok, 4 * (kvl + rope_w), 0)
        k_pe = view_3d(kvc, rope_w, 1, n_tok, 4 * (kvl + rope_w), 4 * (kvl + rope_w), 4 * kvl)
        q_pe = rope(q_pe, inp_pos)
        k_pe = rope(k_pe, inp_pos)
        kv_cmpr = norm_w(c, kv_cmpr, c.W(f'blk.{il}.attn_kv_a_norm.weight', [kvl], il), il)
        wo = c.W(f'blk.{il}.attn_output.weight', [nh * hv, n_embd], il)
        if c.mla:
            q_nope = permute(q_nope, 0, 2, 1, 3)
            wk_b = c.W(f'blk.{il}.attn_k_b.weight', [nope, kvl, nh], il)
            qna = mul_mat(wk_b, q_nope)
            qna = permute(qna, 0, 2, 1, 3)
            Qcur = concat(q_pe, qna, 0)
            kv_cmpr = reshape(kv_cmpr, kvl, 1, n_tok)
            Kcur = concat(k_pe, kv_cmpr, 0)
            Vcur = kv_cmpr
            wv_b = c.W(f'blk.{il}.attn_v_b.weight', [kvl, hv, nh], il)
            cur = attn_mla_mainline(c, gf, il, Qcur, Kcur, Vcur, mask, wo, wv_b, nh, kvl + rope_w, kvl, hv)
        else:
            kv = mul_mat(c.W(f'blk.{il}.attn_kv_b.weight', [kvl, nh * (nope + hv)], il), kv_cmpr)
            k_nope = view_3d(kv, nope, nh, n_tok, 4 * (nope + hv), 4 * (nope + hv) * nh, 0)
            Vcur = view_3d(kv, hv, nh, n_tok, 4 * (nope + hv), 4 * (nope + hv) * nh, 4 * nope)
            Vcur = cont(Vcur)
            Qcur = concat(q_pe, q_nope, 0)
            Kcur = concat(repeat(k_pe, q_pe), k_nope, 0)
            cur = attn(c, gf, il, Qcur, Kcur, Vcur, mask, wo, nh, nh, hk, hv)
        if il == a.num_layers - 1:
            out_ids = new_input([c.n_outputs], 'i32', 'inp_out_ids')
            cur = get_rows(cur, out_ids)
            inpSA = get_rows(inpSA, out_ids)
        ffn_inp = add(cur, inpSA, 'ffn_inp')
        cur = norm_w(c, ffn_inp, c.W(f'blk.{il}.ffn_norm.weight', [n_embd], il), il)
        if il < d['n_dense']:
            cur = ffn_par(c, cur, il, n_embd, a.intermediate_size)
        else:
            pb = c.W(f'blk.{il}.exp_probs_b.bias', [a.num_experts], il)
            moe = moe_ffn(c, cur, il, n_embd, a.moe_intermediate_size, a.num_experts, a.experts_per_token,
                          gating='sigmoid', norm_w_=True, scale_w=True, probs_b=pb)
            sh = ffn_par_named(c, cur, il, n_embd, d['n_ff_shexp'], 'shexp')
            cur = add(moe, sh, 'ffn_out')
        cur = add(cur, ffn_inp, 'l_out')
        inpL = cur
    set_layer('out')
    output_head(c, gf, inpL, n_embd)
    return gf


def attn_mla_mainline(c, gf, il, q_cur, k_cur, v_cur, mask, wo, v_mla, n_head, nk, nv, hv):
    """mainline build_attn + build_attn_mha with v_mla (MQA over the latent)."""
    gf.expand(q_cur)
    gf.expand(k_cur)
    gf.expand(v_cur)
    kv_store(c, gf, il, k_cur, v_cur, nk, nv)
    k_l, v_l = c.kv(il, nk, nv)
    n_kv = c.n_kv
    q = permute(q_cur, 0, 2, 1, 3)
    k = view_3d(k_l, nk, n_kv, 1, row_size(k_l.type, nk), row_size(k_l.type, nk), 0)
    n_tok = c.n_tokens
    if c.fa:
        v = view_3d(v_l, nv, n_kv, 1, row_size(v_l.type, nv), row_size(v_l.type, nv), 0)
        cur = flash_attn_ext(q, k, v, mask)
        if c.hp.get('v_mla_mm', True):   # llama.cpp after early May 2025: permute -> mul_mat -> permute -> cont
            cur = permute(cur, 0, 2, 1, 3)
            cur = mul_mat(v_mla, cur)
            cur = permute(cur, 0, 2, 1, 3)
            cur = cont(cur)
        else:
            cur = reshape(cur, v_mla.ne[0], 1, n_head, n_tok)
            cur = mul_mat(v_mla, cur)
        cur = reshape(cur, cur.ne[0] * n_head, n_tok)
    else:
        e = TYPES[v_l.type][0]
        v = view_3d(v_l, n_kv, nv, 1, e * c.n_ctx, e * c.n_ctx * nv, 0)
        kq = soft_max_ext(mul_mat(k, q), mask)
        kqv = mul_mat(v, kq)
        kqv = mul_mat(v_mla, kqv)
        cur = cont(permute(kqv, 0, 2, 1, 3), hv * n_head, n_tok)
    gf.expand(cur)
    return mul_mat(wo, cur, 'attn_out')


