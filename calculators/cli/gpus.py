"""``gpus``: the accelerator catalog, or the GPUs and counts that fit a model, ranked."""

import dataclasses
import json

from calculators.catalogs import gpus
from calculators.cli.args import add_model_arguments, int_list, model_architecture
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GIB
from calculators.speed import rank

NAME = "gpus"
HELP = "List the GPU catalog, or rank the GPUs that fit a model (--fits) by tokens/s or cost."
#: Engine argument -> the flag a reader typed, for error messages.
FIELD_FLAGS = {"weight_format": "--quant", "batch": "--batch", "context_tokens": "--context", "counts": "--counts",
               "sort_by": "--sort", "price": "--price", "prices": "--price", "top": "--top"}


def add_arguments(parser) -> None:
    parser.add_argument("--fits", metavar="MODEL", help="catalog model name to rank GPUs for")
    add_model_arguments(parser, positional=False)
    parser.add_argument("--quant", default="bf16", help="weight format, e.g. bf16, fp8, q4_k_m (default: bf16)")
    parser.add_argument("--batch", default="1", help="concurrent sequences (default: 1)")
    parser.add_argument("--context", default="4096", help="tokens per sequence in the KV cache (default: 4096)")
    parser.add_argument("--counts", default="1,2,4,8", help="GPU counts to try (default: 1,2,4,8)")
    parser.add_argument("--sort", default="tokens_per_s", help="tokens_per_s or cost (default: tokens_per_s)")
    parser.add_argument("--price", action="append", default=[], metavar="GPU=USD",
                        help="hourly price override per GPU, e.g. --price h100-sxm=2.10 (repeatable)")
    parser.add_argument("--top", default="20", help="rows to show (default: 20)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _prices(items) -> dict:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError("price", f"expected GPU=USD, got {item[:40]!r}")
        out[name] = value
    return out


def run(args) -> int:
    if not args.fits and not args.config:
        return _list(args)
    _, arch = model_architecture(args, name=args.fits)
    top = validate.integer("top", args.top, minimum=1, maximum=10_000)
    options = rank(arch, weight_format=args.quant, batch=args.batch, context_tokens=args.context,
                   counts=int_list("counts", args.counts), prices=_prices(args.price), sort_by=args.sort)[:top]
    if args.json:
        print(json.dumps([dataclasses.asdict(o) for o in options], indent=1))
        return 0
    if not options:
        print("no GPU in the catalog holds this workload with up to the given counts")
        return 0
    print(f"{'GPU':<44} {'n':>2} {'GiB/GPU':>9} {'usable':>9} {'tok/s':>8} {'tok/s/user':>10} {'$/h':>7} {'$/Mtok':>8}")
    for o in options:
        usd = "-" if o.usd_per_hour is None else f"{o.usd_per_hour:.2f}"
        per_m = "-" if o.usd_per_million_tokens is None else f"{o.usd_per_million_tokens:.2f}"
        flag = "" if o.compute_known else " *"
        print(f"{o.gpu_name[:44]:<44} {o.count:>2} {o.memory_per_gpu_bytes / GIB:>9.1f} "
              f"{o.usable_per_gpu_bytes / GIB:>9.1f} {o.tokens_per_s_total:>8.0f} {o.tokens_per_s_per_user:>10.1f} "
              f"{usd:>7} {per_m:>8}{flag}")
    if any(not o.compute_known for o in options):
        print("* no published FLOP/s figure: memory time only")
    return 0


def _list(args) -> int:
    catalog = list(gpus.all_gpus().values())
    if args.json:
        print(json.dumps([dataclasses.asdict(g) for g in catalog], indent=1))
        return 0
    print(f"{'id':<24} {'name':<44} {'GB':>5} {'usable GiB':>10} {'TB/s':>6} {'bf16 TFLOPS':>11}")
    for g in catalog:
        bf16 = g.dense_tflops_for("bf16")
        print(f"{g.id:<24} {g.name[:44]:<44} {g.memory_gb:>5g} {g.usable_memory_bytes / GIB:>10.1f} "
              f"{g.memory_bandwidth_tb_per_s:>6.3g} {'-' if bf16 is None else f'{bf16:g}':>11}")
    return 0
