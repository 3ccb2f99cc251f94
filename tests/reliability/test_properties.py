"""Properties every estimate must have, checked on generated inputs (Hypothesis, derandomized).

* every memory component, total and detail is a finite, non-negative number;
* memory never shrinks when the work grows (batch, prompt, generated tokens) or when a feature that holds
  more data is switched on (eager attention, every position's logits, wider weights, KV cache or compute dtype);
* LoRA and QLoRA never need more than full fine-tuning of the same model and setup;
* ZeRO/FSDP over N GPUs never needs more per GPU than the same run on one GPU, nor more GPUs than fewer;
* a GPU with less memory bandwidth is never faster, and more work never makes a step faster.

Models are the catalog's, plus shrunken variants of them (1-6 layers, small vocabularies) that reach corners
real configs do not.
"""

import dataclasses
import json
import math

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from calculators import architectures
from calculators.architectures import Architecture
from calculators.catalogs import formats, gpus
from calculators.catalogs import models as model_catalog
from calculators.core.errors import InputError
from calculators.memory import InferenceSetup, TrainingSetup, estimate_inference, estimate_training
from calculators.memory.setup import LLAMA_CPP_KV_TYPES, LLAMA_CPP_RUNTIMES
from calculators.memory.optimizers import all_optimizers
from calculators.memory.training import gathered_params
from calculators.memory.weights import weight_bytes
from calculators.speed import decode_step, linear_decode_step, prefill, rank, tensor_parallel_plan
from tests.reliability.support import FEW, MODEL_IDS, PROPERTY, arch

#: Relative slack for float rounding when two estimates should be equal.
EPS = 1e-9

WEIGHT_FORMATS = tuple(f.id for f in formats.all_formats().values() if f.kind != "block")
KV_FORMATS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")
RUNTIMES = ("transformers", "vllm", "llama.cpp")
ATTN = ("sdpa", "flash_attention_2", "eager")
MODES = ("amp", "bf16", "fp32", "lora", "qlora")
OPTIMIZERS = tuple(all_optimizers())
QLORA_FORMATS = ("nf4", "nf4-dq", "int4", "gptq-int4", "int8-bnb")
GPUS = tuple(gpus.all_gpus())
LINKED_GPUS = tuple(g.id for g in gpus.all_gpus().values() if g.link_bytes_per_s_one_way())


# --- strategies -----------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class Model(Architecture):
    """An architecture that prints as its short label in a failing example (not its tensor list)."""

    label: str = ""

    def __repr__(self):
        return self.label

    def _repr_pretty_(self, printer, cycle):  # what Hypothesis prints for a failing example
        printer.text(self.label)


def named(label: str, architecture: Architecture) -> Model:
    fields = {f.name: getattr(architecture, f.name) for f in dataclasses.fields(architecture)}
    return Model(**fields, label=label)


catalog_arch = st.sampled_from(MODEL_IDS).map(lambda model_id: named(model_id, arch(model_id)))


@st.composite
def shrunk_arch(draw):
    """A catalog config with few layers, a small vocabulary and (sometimes) a narrow MLP."""
    model_id = draw(st.sampled_from(MODEL_IDS))
    config = dict(model_catalog.get(model_id).config)
    changes = {"num_hidden_layers": draw(st.integers(1, 6)), "vocab_size": draw(st.integers(1, 4096))}
    if draw(st.booleans()):
        changes["intermediate_size"] = draw(st.integers(1, 2048))
    config.update(changes)
    for key in ("layer_types", "first_k_dense_replace"):  # per-layer lists and counts must fit the new depth
        config.pop(key, None)
    try:
        return named(f"{model_id} with {changes}", architectures.build(config))
    except InputError:
        assume(False)


any_arch = st.one_of(catalog_arch, shrunk_arch())


def inference_setups(**fixed):
    return st.builds(
        InferenceSetup,
        batch=st.integers(1, 64), prompt_tokens=st.integers(1, 32_768), new_tokens=st.integers(0, 4096),
        weight_format=st.sampled_from(WEIGHT_FORMATS), compute_dtype=st.sampled_from(("bf16", "fp16", "fp32")),
        kv_format=st.sampled_from((None,) + KV_FORMATS), attn=st.sampled_from(ATTN),
        logits_to_keep=st.sampled_from((0, 1, 2, 64)), runtime=st.sampled_from(RUNTIMES),
        gpu_memory_bytes=st.sampled_from((None, 24 * 2**30, 80 * 2**30, 192 * 2**30)),
        gpu_memory_utilization=st.sampled_from((None, 0.5, 0.9, 1.0)),
        max_num_batched_tokens=st.sampled_from((None, 512, 8192)),
    ).map(lambda s: dataclasses.replace(s, **fixed)).map(_utilization_for_vllm_only).map(_kv_llama_cpp_has)


def _utilization_for_vllm_only(setup):
    """gpu_memory_utilization is vLLM's setting; the engine refuses it for the other runtimes."""
    return setup if setup.runtime == "vllm" else dataclasses.replace(setup, gpu_memory_utilization=None)


def _kv_llama_cpp_has(setup):
    """llama.cpp has no fp8/int8/int4 cache (the engine refuses them there); q8_0 stands in for the 8-bit ones."""
    if setup.runtime not in LLAMA_CPP_RUNTIMES or setup.kv_format in (None, *LLAMA_CPP_KV_TYPES):
        return setup
    return dataclasses.replace(setup, kv_format="q8_0" if setup.kv_format != "int4" else "q4_0")


def lora_targets(model):
    names = sorted({t.name.rsplit(".", 2)[-2] for t in model.tensors if t.is_linear and t.layer is not None})
    return st.one_of(st.just(("all-linear",)), st.lists(st.sampled_from(names), min_size=1, unique=True).map(tuple))


@st.composite
def training_cases(draw, models=catalog_arch, modes=MODES):
    model = draw(models)
    mode = draw(st.sampled_from(modes))
    setup = TrainingSetup(
        batch=draw(st.integers(1, 16)), context_tokens=draw(st.integers(1, 8192)), mode=mode,
        optimizer=draw(st.sampled_from(OPTIMIZERS)), grad_ckpt=draw(st.booleans()),
        lora_rank=draw(st.integers(1, 64)) if mode in ("lora", "qlora") else 0,
        lora_targets=draw(lora_targets(model)), qlora_format=draw(st.sampled_from(QLORA_FORMATS)),
        zero_stage=draw(st.integers(0, 3)), num_gpus=draw(st.sampled_from((1, 2, 4, 8, 64))),
        attn=draw(st.sampled_from(ATTN)))
    return model, setup


# --- helpers --------------------------------------------------------------------------------------------------

def assert_sane(estimate):
    """Every number of an estimate is finite and non-negative, and its JSON form holds no NaN or infinity."""
    for name, value in estimate.components:
        assert math.isfinite(value) and value >= 0, (name, value)
    assert math.isfinite(estimate.peak_allocated_bytes) and estimate.peak_allocated_bytes >= 0
    assert math.isfinite(estimate.device_used_bytes)
    assert estimate.device_used_bytes >= estimate.peak_allocated_bytes
    for name, value in estimate.as_dict()["details"].items():
        assert math.isfinite(value) and value >= 0, (name, value)
    json.dumps(estimate.as_dict(), allow_nan=False)
    assert estimate.advice


def assert_not_more(smaller, larger, what, *, slack_bytes=0.0):
    """``smaller`` needs no more memory than ``larger`` (peak allocated and what nvidia-smi shows), give or take
    ``slack_bytes`` a named mechanism may add."""
    note(f"{what}: {smaller.peak_allocated_bytes:.6g} vs {larger.peak_allocated_bytes:.6g} allocated, "
         f"{smaller.device_used_bytes:.6g} vs {larger.device_used_bytes:.6g} used")
    assert smaller.peak_allocated_bytes <= larger.peak_allocated_bytes * (1 + EPS) + slack_bytes, what
    assert smaller.device_used_bytes <= larger.device_used_bytes * (1 + EPS) + slack_bytes, what


def fa_mask_copy_bytes(setup) -> float:
    """llama.cpp's flash-attention graph casts the f32 attention mask to f16 beside it (one n_ctx x n_ubatch
    tensor); at a context of a few hundred cells, where the scores it saves are small, that copy can be the
    difference. Zero for the other runtimes."""
    if setup.runtime not in LLAMA_CPP_RUNTIMES:
        return 0.0
    cells = max(256, setup.prompt_tokens + setup.new_tokens) * setup.batch + 256
    return 2.0 * cells * 512


def inference(model, setup, **changes):
    return estimate_inference(model, dataclasses.replace(setup, **changes))


def training(model, setup, **changes):
    return estimate_training(model, dataclasses.replace(setup, **changes))


def role_bytes(model, fmt) -> dict[str, float]:
    return dict(weight_bytes(model, fmt).by_role_bytes)


def dominated(model, small, large) -> bool:
    """Every kind of weight takes no more bytes in ``small`` than in ``large``."""
    a, b = role_bytes(model, small), role_bytes(model, large)
    return all(a.get(role, 0.0) <= b.get(role, 0.0) for role in set(a) | set(b))


# --- memory: finite and non-negative --------------------------------------------------------------------------

@PROPERTY
@given(any_arch, inference_setups())
def test_inference_estimate_is_finite_and_non_negative(model, setup):
    assert_sane(estimate_inference(model, setup))


@PROPERTY
@given(training_cases(models=any_arch))
def test_training_estimate_is_finite_and_non_negative(case):
    model, setup = case
    assert_sane(estimate_training(model, setup))


# --- memory: more work or more features never need less --------------------------------------------------------

@PROPERTY
@given(any_arch, inference_setups(), st.integers(1, 64), st.integers(0, 64))
def test_inference_memory_grows_with_batch(model, setup, batch, more):
    assert_not_more(inference(model, setup, batch=batch), inference(model, setup, batch=batch + more), "batch")


@PROPERTY
@given(any_arch, inference_setups(), st.integers(1, 32_768), st.integers(0, 32_768))
def test_inference_memory_grows_with_prompt_length(model, setup, prompt, more):
    assert_not_more(inference(model, setup, prompt_tokens=prompt),
                    inference(model, setup, prompt_tokens=prompt + more), "prompt tokens")


@PROPERTY
@given(any_arch, inference_setups(), st.integers(0, 8192), st.integers(0, 8192))
def test_inference_memory_grows_with_generated_tokens(model, setup, new, more):
    assert_not_more(inference(model, setup, new_tokens=new), inference(model, setup, new_tokens=new + more),
                    "generated tokens")


@PROPERTY
@given(any_arch, inference_setups(), st.sampled_from(WEIGHT_FORMATS), st.sampled_from(WEIGHT_FORMATS))
def test_inference_memory_grows_with_bytes_per_weight(model, setup, a, b):
    if not dominated(model, a, b):
        a, b = b, a
    assume(dominated(model, a, b))
    assert_not_more(inference(model, setup, weight_format=a), inference(model, setup, weight_format=b),
                    f"weights {a} -> {b}")


@PROPERTY
@given(any_arch, inference_setups(), st.sampled_from(KV_FORMATS), st.sampled_from(KV_FORMATS))
def test_inference_memory_grows_with_kv_cache_precision(model, setup, a, b):
    assume(setup.runtime not in LLAMA_CPP_RUNTIMES or {a, b} <= set(LLAMA_CPP_KV_TYPES))
    if formats.get(a).bits_per_value > formats.get(b).bits_per_value:
        a, b = b, a
    assert_not_more(inference(model, setup, kv_format=a), inference(model, setup, kv_format=b), f"kv {a} -> {b}")


@PROPERTY
@given(any_arch, inference_setups())
def test_inference_features_that_hold_more_never_need_less(model, setup):
    if setup.compute_dtype != "fp32":
        # Named exception: an fp32 grouped-query SDPA call falls back to PyTorch's math kernel, which holds the fp32
        # scores twice next to K/V repeated to every head (calculators.memory.forward.sdpa_extra), a little more
        # than eager attention's own copies on a short decode step.
        assert_not_more(inference(model, setup, attn="sdpa"), inference(model, setup, attn="eager"), "eager attention",
                        slack_bytes=fa_mask_copy_bytes(setup))
    assert_not_more(inference(model, setup, attn="flash_attention_2"), inference(model, setup, attn="eager"),
                    "eager attention", slack_bytes=fa_mask_copy_bytes(setup))
    assert_not_more(inference(model, setup, logits_to_keep=1), inference(model, setup, logits_to_keep=0),
                    "keep every position's logits")
    if setup.attn != "eager":
        # Named exception: eager attention in bf16 converts the score matrix to fp32 for the softmax and keeps
        # the bf16 input beside it (calculators.memory.forward.eager_scores), so at long prompts a bf16 layer can
        # hold a few MB more than an fp32 one, whose softmax needs no conversion.
        assert_not_more(inference(model, setup, compute_dtype="bf16"), inference(model, setup, compute_dtype="fp32"),
                        "fp32 compute")
    assert_not_more(inference(model, setup, kv_format="bf16"), inference(model, setup, kv_format="fp32"), "fp32 KV")


@PROPERTY
@given(training_cases(models=any_arch), st.integers(1, 16), st.integers(1, 8192))
def test_training_memory_grows_with_batch_and_sequence(case, batch, seq):
    model, setup = case
    assert_not_more(training(model, setup), training(model, setup, batch=setup.batch + batch), "batch")
    assert_not_more(training(model, setup), training(model, setup, context_tokens=setup.context_tokens + seq), "sequence")


@PROPERTY
@given(training_cases(models=any_arch))
def test_training_eager_attention_never_needs_less(case):
    model, setup = case
    assert_not_more(training(model, setup, attn="sdpa"), training(model, setup, attn="eager"), "eager attention")


@PROPERTY
@given(training_cases(modes=("amp", "bf16", "fp32")))
def test_pure_bf16_training_never_needs_more_than_fp32_or_mixed(case):
    model, setup = case
    bf16 = training(model, setup, mode="bf16")
    assert_not_more(bf16, training(model, setup, mode="fp32"), "bf16 -> fp32")
    assert_not_more(bf16, training(model, setup, mode="amp"), "bf16 -> mixed precision")


# --- LoRA, QLoRA and sharding ---------------------------------------------------------------------------------

@PROPERTY
@given(training_cases(modes=("lora", "qlora")))
def test_lora_never_needs_more_than_full_fine_tuning(case):
    """With an optimizer that keeps per-parameter state, strictly. With Adafactor (factored state of a few MB)
    a full fine-tune whose peak is the loss's logits can sit a few MB under LoRA, whose adapters and their
    state are alive at that moment too (the reference measurements put the full fine-tune's peak there, before
    any gradient exists); then LoRA needs no more than the full fine-tune plus its adapters and their state."""
    model, setup = case
    # Named exception: ZeRO divides the full fine-tune's gradients and optimizer state over the GPUs, while LoRA's
    # extra saved activations (peft's bf16 copy of each adapted projection's input) are not sharded; over many
    # GPUs the full fine-tune can then need a few MB less. Compared on one GPU's worth of state.
    setup = dataclasses.replace(setup, zero_stage=0, num_gpus=1)
    adapter = estimate_training(model, setup)
    for full_mode in ("bf16", "amp", "fp32"):
        full = training(model, setup, mode=full_mode, lora_rank=0)
        what = f"{setup.mode} vs {full_mode}"
        if all_optimizers()[setup.optimizer].factored:
            own = adapter.component("adapters") + adapter.component("optimizer_states")
            note(f"{what}: {adapter.peak_allocated_bytes:.6g} - {own:.6g} vs {full.peak_allocated_bytes:.6g}")
            assert adapter.peak_allocated_bytes - own <= full.peak_allocated_bytes * (1 + EPS), what
        else:
            assert_not_more(adapter, full, what)


@PROPERTY
@given(training_cases(modes=("lora",)))
def test_qlora_never_needs_more_than_lora(case):
    model, setup = case
    assert_not_more(training(model, setup, mode="qlora"), estimate_training(model, setup), "qlora vs lora")


@PROPERTY
@given(training_cases(), st.integers(1, 3), st.sampled_from((2, 3, 4, 8, 16, 64, 1024)))
def test_sharding_over_n_gpus_never_needs_more_per_gpu(case, stage, n):
    model, setup = case
    one = training(model, setup, zero_stage=stage, num_gpus=1)
    assert_not_more(training(model, setup, zero_stage=stage, num_gpus=n), one, f"ZeRO-{stage} on {n} GPUs vs 1")
    assert_not_more(training(model, setup, zero_stage=stage, num_gpus=2 * n),
                    training(model, setup, zero_stage=stage, num_gpus=n), f"ZeRO-{stage} on {2 * n} vs {n} GPUs")


@PROPERTY
@given(training_cases(models=shrunk_arch()), st.sampled_from((2, 3, 8)))
def test_sharding_a_small_model_never_needs_more_per_gpu(case, n):
    """ZeRO-3 holds its shard plus the gathered layer and the prefetched next one, so a model whose two
    neighbouring layers outweigh what sharding frees (few layers, or one giant MoE layer among dense ones) can
    need more per GPU than unsharded, as FSDP does; any other model never may."""
    model, setup = case
    assume(gathered_params(model) <= model.n_params * (1 - 1 / n))
    assert_not_more(training(model, setup, zero_stage=3, num_gpus=n), training(model, setup, zero_stage=3, num_gpus=1),
                    f"ZeRO-3 on {n} GPUs vs 1")


@PROPERTY
@given(training_cases(), st.sampled_from((2, 4, 8, 64)))
def test_a_higher_zero_stage_never_needs_more_per_gpu(case, n):
    model, setup = case
    stages = [training(model, setup, zero_stage=stage, num_gpus=n) for stage in range(4)]
    for lower, higher in zip(stages, stages[1:]):
        assert_not_more(higher, lower, f"ZeRO stage {higher} vs {lower} on {n} GPUs")


# --- speed ----------------------------------------------------------------------------------------------------

@st.composite
def decode_cases(draw):
    model = draw(any_arch)
    tp = draw(st.sampled_from((1, 1, 2, 8)))
    gpu = draw(st.sampled_from(LINKED_GPUS if tp > 1 else GPUS))
    options = dict(batch=draw(st.integers(1, 512)), context_tokens=draw(st.integers(0, 131_072)),
                   weight_format=draw(st.sampled_from(("bf16", "fp8", "int8", "int4", "q4_k_m", "nf4", "mxfp4"))),
                   kv_format=draw(st.sampled_from((None, "bf16", "fp8"))), tensor_parallel=tp)
    return model, gpus.get(gpu), options


def slower_gpu(gpu, factor):
    return dataclasses.replace(gpu, memory_bandwidth_tb_per_s=gpu.memory_bandwidth_tb_per_s * factor)


@PROPERTY
@given(decode_cases(), st.floats(0.01, 1.0))
def test_less_memory_bandwidth_is_never_faster(case, factor):
    model, gpu, options = case
    fast, slow = decode_step(model, gpu, **options), decode_step(model, slower_gpu(gpu, factor), **options)
    for step in (fast, slow):
        assert math.isfinite(step.step_seconds) and step.step_seconds > 0
    assert slow.step_seconds >= fast.step_seconds * (1 - EPS)
    assert slow.tokens_per_s_total <= fast.tokens_per_s_total * (1 + EPS)
    assert slow.tokens_per_s_per_user <= fast.tokens_per_s_per_user * (1 + EPS)
    prompt = max(options["context_tokens"], 1)
    quick = prefill(model, gpu, prompt_tokens=prompt, weight_format=options["weight_format"])
    sluggish = prefill(model, slower_gpu(gpu, factor), prompt_tokens=prompt, weight_format=options["weight_format"])
    assert sluggish.ttft_seconds >= quick.ttft_seconds * (1 - EPS)
    linear = linear_decode_step(model, gpu, batch=options["batch"])
    assert linear_decode_step(model, slower_gpu(gpu, factor), batch=options["batch"]).step_seconds \
        >= linear.step_seconds * (1 - EPS)


@PROPERTY
@given(decode_cases())
def test_total_throughput_never_falls_when_the_batch_doubles(case):
    """More sequences per step share one read of the weights: a step never serves fewer tokens per second in total
    (per user it may, which is the latency-throughput trade)."""
    model, gpu, options = case
    one = decode_step(model, gpu, **options)
    two = decode_step(model, gpu, **{**options, "batch": 2 * options["batch"]})
    assert two.tokens_per_s_total >= one.tokens_per_s_total * (1 - EPS)


@PROPERTY
@given(decode_cases(), st.integers(0, 131_072))
def test_a_longer_context_never_makes_a_decode_step_faster(case, more):
    model, gpu, options = case
    short = decode_step(model, gpu, **options)
    long = decode_step(model, gpu, **{**options, "context_tokens": options["context_tokens"] + more})
    assert long.step_seconds >= short.step_seconds * (1 - EPS)
    assert long.kv_bytes_read >= short.kv_bytes_read


@PROPERTY
@given(st.sampled_from(MODEL_IDS), st.lists(st.sampled_from(LINKED_GPUS), min_size=1, max_size=3, unique=True),
       st.integers(1, 256), st.integers(0, 131_072), st.sampled_from(("bf16", "fp8", "int4", "q4_k_m")))
def test_the_gpu_ranking_lists_exactly_the_layouts_the_tensor_parallel_plan_fits(model_id, gpu_ids, batch, context,
                                                                                 weights):
    """One fit verdict whichever surface asks: the picker (and ``gpus --fits``) offers a (GPU, count) exactly when
    the tensor-parallel plan of that layout fits, with the same memory per GPU."""
    model = arch(model_id)
    counts = (1, 2, 3, 4, 8, 16)
    listed = {(o.gpu_id, o.count): o for o in rank(model, weight_format=weights, batch=batch, context_tokens=context,
                                                   counts=counts, gpu_ids=gpu_ids)}
    for gpu_id in gpu_ids:
        for count in counts:
            try:
                plan = tensor_parallel_plan(model, gpu_id, tensor_parallel=count, weight_format=weights, batch=batch,
                                            context_tokens=context)
            except InputError:
                assert (gpu_id, count) not in listed
                continue
            assert ((gpu_id, count) in listed) == plan.fits, (gpu_id, count)
            if plan.fits:
                assert listed[gpu_id, count].memory_per_gpu_bytes == pytest.approx(plan.memory_per_gpu_bytes)


@FEW
@given(st.sampled_from(GPUS), st.sampled_from(MODEL_IDS))
def test_a_gpu_without_a_published_flop_rate_is_still_timed_by_bandwidth(gpu_id, model_id):
    gpu = gpus.get(gpu_id)
    no_compute = dataclasses.replace(gpu, dense_tflops=type(gpu.dense_tflops)())
    step = decode_step(arch(model_id), no_compute)
    assert not step.compute_known and math.isfinite(step.step_seconds) and step.step_seconds > 0


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_every_catalog_model_has_consistent_parameter_counts(model_id):
    model = arch(model_id)
    assert 0 < model.active_params <= model.n_params
    assert sum(model.params_by_role().values()) == model.n_params
    assert all(count >= 0 for count in model.params_by_role().values())
