"""This project's GPU measurement protocol: peak memory and speed records in the gpu-truth format.

Each case builds a randomly initialised Hugging Face model from a config.json (the project's
model catalog, optionally with overrides), runs it, and writes one JSON line with the memory
snapshots the calculators are judged on (see validation/README.md for the fields and how the
figure is read). Random weights are enough: memory depends on shapes and dtypes, not values.

Run on a CUDA machine:  python3 validation/measure_gpu.py OUT.jsonl [--budget-seconds 400]
Dry run on a CPU:        python3 validation/measure_gpu.py OUT.jsonl --tiny   (small shapes, no timings)

Cases run in the order of ``CASES`` (most informative first) until the time budget is spent;
a case that fails (out of memory, unsupported option) is written as an ``error`` record and
the run goes on. Needs torch, transformers and peft; reads nothing from the network.
"""

import argparse
import contextlib
import gc
import json
import pathlib
import sys
import time
import traceback

import torch
import torch.nn.functional as F
import transformers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from validation.gpu_cases import CASES, SWEEP_BATCHES, case_record, catalog_config  # noqa: E402


class Run:
    """The device, the clock, the output file and the tiny (CPU dry-run) switch."""

    def __init__(self, out_path: pathlib.Path, tiny: bool, budget_seconds: float):
        self.device = "cuda" if torch.cuda.is_available() and not tiny else "cpu"
        self.tiny = tiny
        self.budget_seconds = budget_seconds
        self.started = time.time()
        self.sink = out_path.open("a", encoding="utf-8")

    @property
    def cuda(self) -> bool:
        return self.device == "cuda"

    def elapsed(self) -> float:
        return time.time() - self.started

    def write(self, record: dict) -> None:
        record["elapsed_s"] = round(self.elapsed(), 1)
        self.sink.write(json.dumps(record) + "\n")
        self.sink.flush()
        print(json.dumps({k: v for k, v in record.items() if k != "config"})[:400], flush=True)

    def sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()

    def memory(self) -> dict:
        """Allocator counters and the driver's view of the device, after the queued work ends."""
        self.sync()
        if not self.cuda:
            return {"allocated": 0, "peak_allocated": 0, "reserved": 0, "peak_reserved": 0, "device_used": 0}
        free, total = torch.cuda.mem_get_info()
        return {"allocated": torch.cuda.memory_allocated(), "peak_allocated": torch.cuda.max_memory_allocated(),
                "reserved": torch.cuda.memory_reserved(), "peak_reserved": torch.cuda.max_memory_reserved(),
                "device_used": total - free}

    def new_phase(self) -> None:
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()

    def release(self) -> None:
        gc.collect()
        if self.cuda:
            torch.cuda.empty_cache()

    def seconds_per_call(self, fn, repeats: int, warmups: int = 3) -> float | None:
        """Mean wall time of ``fn()`` after warm-up calls (None on a CPU dry run)."""
        if not self.cuda:
            return None
        for _ in range(warmups):
            fn()
        self.sync()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        self.sync()
        return (time.perf_counter() - start) / repeats


def build_model(run: Run, config: dict, dtype, attn: str):
    """A randomly initialised causal LM on the device; falls back to eager attention when the
    requested implementation is not offered for the architecture (the record says which ran)."""
    values = dict(config)
    hf_config = transformers.AutoConfig.for_model(values.pop("model_type"), **values)
    try:
        with torch.device(run.device):
            model = transformers.AutoModelForCausalLM.from_config(hf_config, dtype=dtype, attn_implementation=attn)
    except ValueError:
        if attn == "eager":
            raise
        with torch.device(run.device):
            model = transformers.AutoModelForCausalLM.from_config(hf_config, dtype=dtype, attn_implementation="eager")
    return hf_config, model


def shape(run: Run, case: dict) -> tuple[int, int]:
    return (min(case["batch"], 2), min(case["seq"], 48)) if run.tiny else (case["batch"], case["seq"])


def measure_inference(run: Run, case: dict) -> dict:
    """Load, prefill ``batch x seq`` with the KV cache on, one decode step; then time decode steps."""
    dtype_name = case.get("dtype", "bfloat16")
    keep = case.get("logits_to_keep", 1)
    config = catalog_config(case, run.tiny)
    run.release(); run.new_phase()
    baseline = run.memory()
    hf_config, model = build_model(run, config, getattr(torch, dtype_name), case.get("attn", "sdpa"))
    model.eval()
    after_load = run.memory()
    batch, seq = shape(run, case)
    prompt = torch.randint(0, hf_config.vocab_size, (batch, seq), device=run.device)
    with torch.inference_mode():
        run.new_phase()
        prefill = model(input_ids=prompt, use_cache=True, logits_to_keep=keep)
        after_prefill = run.memory()
        token = prefill.logits[:, -1:].argmax(-1)
        cache = prefill.past_key_values
        del prefill
        run.new_phase()
        cache = model(input_ids=token, past_key_values=cache, use_cache=True, logits_to_keep=1).past_key_values
        after_decode = run.memory()
        state = {"cache": cache}

        def decode_step():
            state["cache"] = model(input_ids=token, past_key_values=state["cache"], use_cache=True,
                                   logits_to_keep=1).past_key_values

        step_seconds = run.seconds_per_call(decode_step, repeats=10)
    record = case_record(case, config)
    record.update(dtype=dtype_name, attn=model.config._attn_implementation, attn_requested=case.get("attn", "sdpa"),
                  logits_to_keep=keep, batch=batch, seq=seq, n_params=sum(p.numel() for p in model.parameters()),
                  baseline=baseline, after_load=after_load, after_prefill=after_prefill, after_decode=after_decode,
                  eager_decode_step_s=step_seconds)
    del model, cache, state, prompt, token
    return record


def add_lora(model, lora: dict):
    from peft import LoraConfig, get_peft_model
    adapters = LoraConfig(r=lora["r"], lora_alpha=2 * lora["r"], lora_dropout=0.0,
                          target_modules=lora["targets"], task_type="CAUSAL_LM")
    return get_peft_model(model, adapters)


#: The optimizers a training case can name (PyTorch's own, default settings but for the learning rate).
OPTIMIZERS = {
    "torch.optim.AdamW": lambda params: torch.optim.AdamW(params, lr=1e-5),
    "torch.optim.SGD": lambda params: torch.optim.SGD(params, lr=1e-5, momentum=0.9),
    "torch.optim.Adafactor": lambda params: torch.optim.Adafactor(params, lr=1e-2),
}


def measure_training(run: Run, case: dict) -> dict:
    """Two optimizer steps (AdamW unless the case names another) on ``batch x seq`` tokens with
    ``labels=input_ids``; step 2 is the steady state.

    mode ``mixed``: fp32 weights under bf16 autocast; ``bf16``: bf16 weights and optimizer states;
    ``lora``: frozen bf16 base, peft adapters (fp32), bf16 autocast, AdamW on the adapters.
    """
    mode = case["mode"]
    config = catalog_config(case, run.tiny)
    run.release(); run.new_phase()
    baseline = run.memory()
    hf_config, model = build_model(run, config, torch.float32 if mode == "mixed" else torch.bfloat16,
                                   case.get("attn", "sdpa"))
    n_params = sum(p.numel() for p in model.parameters())
    attn_used = model.config._attn_implementation
    model.config.use_cache = False
    if mode == "lora":
        model = add_lora(model, case["lora"])
    if case.get("grad_ckpt"):
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if mode == "lora":
            model.enable_input_require_grads()
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    after_load = run.memory()
    optimizer_name = case.get("optimizer", "torch.optim.AdamW")
    optimizer = OPTIMIZERS[optimizer_name](trainable)
    batch, seq = shape(run, case)
    tokens = torch.randint(0, hf_config.vocab_size, (batch, seq), device=run.device)
    def autocast():
        return torch.autocast(run.device, dtype=torch.bfloat16) if mode != "bf16" else contextlib.nullcontext()

    def step(snapshots: list | None = None):
        with autocast():
            loss = model(input_ids=tokens, labels=tokens).loss
        points = {"after_forward": run.memory()} if snapshots is not None else {}
        loss.backward()
        if snapshots is not None:
            points["after_backward"] = run.memory()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if snapshots is not None:
            points["after_optimizer"] = run.memory()
            snapshots.append(points)

    steps: list = []
    for _ in range(2):
        run.new_phase()
        step(steps)
    step_seconds = run.seconds_per_call(step, repeats=1, warmups=0)
    record = case_record(case, config)
    record.update(mode=mode, grad_ckpt=bool(case.get("grad_ckpt")), lora=case.get("lora"),
                  optimizer=optimizer_name, attn=attn_used, attn_requested=case.get("attn", "sdpa"),
                  batch=batch, seq=seq, n_params=n_params, trainable_params=sum(p.numel() for p in trainable),
                  baseline=baseline, after_load=after_load, steps=steps, step_time_s=step_seconds)
    del model, optimizer, trainable, tokens
    return record


def measure_bandwidth(run: Run, case: dict) -> dict:
    """Device-to-device copy, a full read (sum) and one 8192^3 bf16 matrix product."""
    if not run.cuda:
        return {"kind": "bandwidth", "skipped": "no cuda"}
    copy_bytes = 2 * 1024**3
    source = torch.empty(copy_bytes, dtype=torch.uint8, device="cuda")
    target = torch.empty_like(source)
    copy_s = run.seconds_per_call(lambda: target.copy_(source), repeats=20)
    del source, target
    ones = torch.ones(4 * 1024**3, dtype=torch.bfloat16, device="cuda")
    read_s = run.seconds_per_call(ones.sum, repeats=20)
    del ones
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device="cuda")
    b = torch.randn_like(a)
    gemm_s = run.seconds_per_call(lambda: a @ b, repeats=20)
    del a, b
    return {"kind": "bandwidth", "copy_bytes": copy_bytes, "copy_time_s": copy_s,
            "copy_TBps_read_plus_write": 2 * copy_bytes / copy_s / 1e12,
            "read_bytes": 8 * 1024**3, "read_time_s": read_s, "read_TBps": 8 * 1024**3 / read_s / 1e12,
            "gemm_8192_bf16_time_s": gemm_s, "gemm_8192_bf16_TFLOPs": 2 * 8192**3 / gemm_s / 1e12}


def measure_decode_sweep(run: Run, case: dict) -> dict:
    """Every nn.Linear of the model applied once to a (batch, in_features) bf16 input, captured
    as one CUDA graph and replayed: the weight-streaming floor of a decode step (no attention)."""
    if not run.cuda:
        return {"kind": "decode_sweep", "skipped": "no cuda"}
    config = catalog_config(case, run.tiny)
    _, model = build_model(run, config, torch.bfloat16, "sdpa")
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    weight_bytes = sum(w.numel() * w.element_size() for w in weights)
    rows = []
    with torch.inference_mode():
        for batch in SWEEP_BATCHES:
            inputs = {w.shape[1]: torch.randn(batch, w.shape[1], dtype=torch.bfloat16, device="cuda") for w in weights}

            def all_linears():
                for w in weights:
                    F.linear(inputs[w.shape[1]], w)

            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                all_linears()
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                all_linears()
            seconds = run.seconds_per_call(graph.replay, repeats=20)
            flops = 2 * batch * sum(w.numel() for w in weights)
            rows.append({"batch": batch, "step_s": seconds, "weight_GBps": weight_bytes / seconds / 1e9,
                         "TFLOPs": flops / seconds / 1e12})
            del graph, inputs
    record = {"kind": "decode_sweep", "model": case["model"], "config": config, "linear_weight_bytes": weight_bytes,
              "n_params": sum(p.numel() for p in model.parameters()), "rows": rows}
    del model, weights
    return record


MEASURE = {"inference": measure_inference, "training": measure_training,
           "bandwidth": measure_bandwidth, "decode_sweep": measure_decode_sweep}


def environment(run: Run) -> dict:
    import peft
    record = {"kind": "env", "torch": torch.__version__, "transformers": transformers.__version__,
              "peft": peft.__version__, "device": run.device, "tiny": run.tiny,
              "protocol": "validation/measure_gpu.py"}
    if run.cuda:
        props = torch.cuda.get_device_properties(0)
        record.update(gpu=props.name, total_memory=props.total_memory, sms=props.multi_processor_count,
                      cuda=torch.version.cuda, l2=getattr(props, "L2_cache_size", None))
    return record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=pathlib.Path, help="JSONL file to append records to")
    parser.add_argument("--tiny", action="store_true", help="CPU dry run with small shapes")
    parser.add_argument("--budget-seconds", type=float, default=400.0, help="start no case after this")
    parser.add_argument("--only", metavar="MODEL", help="run only the cases of this catalog model id")
    parser.add_argument("--start", type=int, default=0, metavar="INDEX", help="skip the cases before this index")
    args = parser.parse_args(argv)
    run = Run(args.out, args.tiny, args.budget_seconds)
    run.write(environment(run))
    if run.cuda:  # cuBLAS allocates its workspace at the first product: make it part of every baseline
        torch.ones(64, 64, device="cuda") @ torch.ones(64, 64, device="cuda")
        run.sync()
    for case in CASES[args.start:]:
        if args.only and case.get("model") != args.only:
            continue
        if run.elapsed() > run.budget_seconds:
            run.write({"kind": "skipped", "case": case, "why": "time budget spent"})
            continue
        try:
            run.write(MEASURE[case["kind"]](run, case))
        except Exception as error:  # one failed case must not end the run: record it and go on
            run.write({"kind": "error", "case": case, "error": repr(error)[:500],
                       "trace": traceback.format_exc()[-1500:]})
        run.release()
    run.write({"kind": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
