"""``speed``: decode speed across batch sizes, time to first token and where decoding turns compute-bound."""

import dataclasses
import json

from calculators.catalogs import gpus
from calculators.cli.args import add_model_arguments, int_list, model_architecture
from calculators.speed import batch_sweep, prefill

NAME = "speed"
HELP = "Tokens/s per user and in total, step time and time to first token for a model on a GPU."
#: Engine argument -> the flag a reader typed, for error messages.
FIELD_FLAGS = {"gpu": "--gpu", "batch": "--batch", "batches": "--batch", "context_tokens": "--context",
               "prompt_tokens": "--prompt", "weight_format": "--weights", "tensor_parallel": "--tp"}


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--gpu", default="h100", help="GPU id, alias or nvidia-smi name (default: h100)")
    parser.add_argument("--batch", default="1,8,64,256", help="comma-separated batch sizes (default: 1,8,64,256)")
    parser.add_argument("--context", default="1024", help="tokens already in each sequence's KV cache (default: 1024)")
    parser.add_argument("--prompt", default="1024", help="prompt length for the time to first token (default: 1024)")
    parser.add_argument("--weights", default="bf16", help="weight format, e.g. bf16, fp8, int4, q4_k_m (default: bf16)")
    parser.add_argument("--tp", default="1", help="tensor-parallel GPUs (default: 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args) -> int:
    _, arch = model_architecture(args)
    gpu = gpus.get(args.gpu)
    batches = int_list("batch", args.batch)
    options = dict(weight_format=args.weights, tensor_parallel=args.tp)
    sweep = batch_sweep(arch, gpu, batches=batches, context_tokens=args.context, **options)
    first = prefill(arch, gpu, prompt_tokens=args.prompt, weight_format=args.weights, tensor_parallel=args.tp)
    if args.json:
        print(json.dumps({"gpu": gpu.id, "sweep": dataclasses.asdict(sweep),
                          "prefill": {**dataclasses.asdict(first), "ttft_seconds": first.ttft_seconds}}, indent=1))
        return 0
    tp = f" x{first.tensor_parallel}" if first.tensor_parallel > 1 else ""
    print(f"{gpu.name}{tp}, weights {args.weights}, context {sweep.context_tokens} tokens")
    print(f"{'batch':>7} {'step ms':>9} {'tok/s/user':>11} {'tok/s total':>12}  bound")
    for row in sweep.rows:
        print(f"{row.batch:>7} {row.step_seconds * 1e3:>9.2f} {row.tokens_per_s_per_user:>11.1f} "
              f"{row.tokens_per_s_total:>12.0f}  {row.bound}")
    print(f"time to first token ({first.prompt_tokens}-token prompt): {first.ttft_seconds * 1e3:.1f} ms")
    if sweep.compute_bound_batch is None:
        print("decoding stays memory-bound at every batch size (KV-cache reads grow with the batch too), "
              "or the GPU publishes no FLOP/s figure")
    else:
        print(f"decoding turns compute-bound at batch {sweep.compute_bound_batch}")
    return 0
