"""Widget: GPU memory to run a model (weights, KV cache, activations, runtime), against a chosen GPU."""

from calculators.core.units import format_bytes
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.fit import fit_on
from calculators.widgets import fields
from calculators.widgets.spec import Field, Widget

LABELS = {"weights": "Weights", "kv_cache": "KV cache", "activations": "Activations", "logits": "Logits",
          "adapters": "Adapters", "cuda_context": "CUDA context", "allocator_overhead": "Allocator cache"}
RUNTIME_CHOICES = (("transformers", "Hugging Face transformers"), ("vllm", "vLLM"), ("llama.cpp", "llama.cpp"))
KV_CHOICES = ("bf16", "fp16", "fp8", "fp32")


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    runtime = inputs["runtime"]
    setup = InferenceSetup(
        batch=fields.batch(inputs), prompt_tokens=fields.tokens(inputs, "prompt"),
        new_tokens=fields.tokens(inputs, "output", minimum=1), weight_format=inputs["weights"],
        kv_format=inputs["kv_dtype"], runtime=runtime,
        gpu_memory_bytes=gpu.usable_memory_bytes if runtime == "vllm" else None)
    estimate = estimate_inference(arch, setup)
    chart = fields.breakdown_chart(estimate, LABELS, f"GPU memory for {label} on {gpu.name}", gpu)
    notes = [w.text for w in estimate.warnings]
    pool = estimate.kv_pool
    if pool is not None:
        notes.append(f"vLLM reserves {pool.gpu_memory_utilization:.0%} of the card: room for "
                     f"{pool.capacity_tokens:,} tokens of KV cache, "
                     f"{pool.max_concurrent_sequences:,} sequences of this length at once.")
    need = estimate.device_used_bytes
    verdict = f"{'fits' if fit_on(estimate, gpu).fits else 'does not fit'} on {gpu.name}"
    if pool is not None and not pool.holds_request:  # the headline says what the notes say
        verdict += (f": vLLM's KV pool holds {pool.max_concurrent_sequences:,} of the {setup.batch:,} "
                    f"sequences at once")
    return {
        "total": format_bytes(need),
        "peak": format_bytes(estimate.peak_allocated_bytes),
        "verdict": verdict,
        "advice": estimate.advice,
        "chart": chart,
        "fits": fields.fit_list(estimate),
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="inference-memory",
    title="GPU memory for inference",
    summary="Weights, KV cache, activations and the runtime, at the peak of prefill and decode.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.format_field("kv_dtype", "KV-cache format", "bf16", KV_CHOICES),
        fields.count_field("batch", "Batch (sequences at once)", 1),
        fields.count_field("prompt", "Prompt tokens", 4096),
        fields.count_field("output", "Generated tokens", 512),
        Field("runtime", "Runtime", "select", "transformers", options=RUNTIME_CHOICES),
        fields.gpu_field("rtx-4090"),
    ),
    outputs=fields.memory_outputs("GPU memory used (what nvidia-smi, rocm-smi or Activity Monitor shows)"),
    compute=_compute,
    example={"model": "llama-3.1-70b", "weights": "q4_k_m", "batch": "4", "runtime": "vllm", "gpu": "h100-sxm"},
    invalid=("batch", "0"),
)
