"""Widget: which GPUs (and how many) hold a workload, ranked by tokens/s or by cost per million tokens."""

from calculators.core import units, validate
from calculators.core.errors import InputError
from calculators.core.units import GIB, format_bytes
from calculators.speed import prices, rank
from calculators.speed.ranking import SORT_KEYS
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

SHOWN = 15
MAX_COUNT = 64
SORT_CHOICES = (("tokens_per_s", "Fastest first (total tokens/s)"), ("cost", "Cheapest first ($ per million tokens)"))


def _counts(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise InputError("counts", "give one or more GPU counts, e.g. 1, 2, 4, 8")
    if len(parts) > 16:
        raise InputError("counts", "give at most 16 GPU counts")
    return tuple(validate.integer("counts", p, minimum=1, maximum=MAX_COUNT) for p in parts)


def _prices(text: str) -> dict[str, str]:
    """``gpu=usd, gpu=usd``: hourly prices per GPU that replace the defaults."""
    prices: dict[str, str] = {}
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            shown = part.strip() if len(part.strip()) <= 40 else part.strip()[:40] + "…"
            raise InputError("prices", f"expected GPU=dollars per hour, e.g. h100-sxm=2.10; got {shown!r}")
        prices[name.strip()] = value.strip().lstrip("$")
        if len(prices) > 64:
            raise InputError("prices", "give at most 64 prices")
    return prices


def _price_cells(option, table) -> tuple[str, str]:
    """($/hour for all the GPUs, where the per-GPU price comes from: provider and date)."""
    if option.usd_per_hour is None:
        return "—", "—"
    price = table[option.gpu_id]
    if price.from_user:
        return f"${option.usd_per_hour:,.2f}", "your price"
    return f"${option.usd_per_hour:,.2f}", f"{price.provider} ({price.as_of})" if price.as_of else price.provider


def _gib(n_bytes: float) -> str:
    return units.format_number(n_bytes / GIB)


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    sort_by = validate.choice("sort", inputs["sort"], SORT_KEYS)
    overrides = _prices(inputs["prices"])
    options = rank(arch, weight_format=inputs["weights"], batch=fields.batch(inputs),
                   context_tokens=fields.tokens(inputs, "context", minimum=0), counts=_counts(inputs["counts"]),
                   prices=overrides, sort_by=sort_by)
    price_table = prices.merged(overrides)
    if not options:
        summary = (f"No GPU in the catalog holds {label} with this workload at these counts: try more GPUs, "
                   "a smaller weight format or a shorter context.")
        return {"best": "none fits", "summary": summary, "table": "<p>No GPU fits.</p>", "notes": "—"}
    best = options[0]
    rows = []
    for o in options[:SHOWN]:
        rows.append((f"{o.gpu_name} × {o.count}",
                     f"{_gib(o.memory_per_gpu_bytes)} / {_gib(o.usable_per_gpu_bytes)}",
                     units.format_number(o.tokens_per_s_total), units.format_number(o.tokens_per_s_per_user),
                     *_price_cells(o, price_table),
                     "—" if o.usd_per_million_tokens is None else f"${o.usd_per_million_tokens:,.2f}"))
    table = fields.html_table(("GPUs", "Memory per GPU, GiB (need / usable)", "Tokens/s", "Per user", "$/hour", "Price from",
                               "$ per M tokens"), rows)
    priced = [o for o in options if o.usd_per_million_tokens is not None]
    summary = (f"{label} needs {format_bytes(best.memory_needed_bytes)}: {len(options)} options fit; "
               f"showing the first {min(SHOWN, len(options))}.")
    if sort_by == "cost" and priced:
        cheapest = priced[0]
        summary += (f" Cheapest: {cheapest.gpu_name} × {cheapest.count} at ${cheapest.usd_per_million_tokens:,.2f} "
                    f"per million tokens. GPUs without a price come last.")
    notes = ("Memory is the memory model's peak for one prompt of the context length. Several GPUs share the model "
             "by tensor parallelism over their interconnect: weights and activations split evenly, the KV cache by "
             "key-value heads, so past the model's KV-head count each GPU keeps a full head and the cache per GPU "
             "stops shrinking. Counts that do not divide the model's heads are skipped; GPUs without an interconnect "
             "are counted once. Prices are hourly list prices with their source; override them in the prices box.")
    if not best.compute_known:
        notes += f" {best.gpu_name} publishes no tensor throughput: its compute time is left out."
    return {
        "best": f"{best.gpu_name} × {best.count}",
        "summary": summary,
        "table": table,
        "notes": notes,
    }


WIDGET = Widget(
    id="gpu-picker",
    title="Which GPU",
    summary="Every GPU and GPU count that holds the workload, ranked by speed or by cost per million tokens.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.count_field("batch", "Batch (sequences at once)", 8),
        fields.count_field("context", "Context tokens", 4096),
        Field("counts", "GPU counts considered", "text", "1, 2, 4, 8",
              help=f"Comma-separated, 1 to {MAX_COUNT}."),
        Field("sort", "Sort by", "select", "cost", options=SORT_CHOICES),
        Field("prices", "Your prices ($ per GPU-hour)", "text", "",
              help="Optional, e.g. h100-sxm=2.10, a100-80gb-sxm=1.20"),
    ),
    outputs=(
        Output("best", "First choice"),
        Output("summary", "Ranking", "note"),
        Output("table", "GPUs that fit", "html"),
        Output("notes", "Assumptions", "note"),
    ),
    compute=_compute,
    example={"model": "llama-3.1-70b", "weights": "fp8", "batch": "32", "sort": "tokens_per_s",
             "prices": "h100-sxm=2.10, a100-80gb-sxm=1.20"},
    invalid=("prices", "h100-sxm=cheap"),
)
