"""Inputs shared by several widgets: the model (catalog, pasted config.json or a bare parameter count), GPU,
number formats, counts and tensor-parallel degrees, and the lists and tables their outputs use."""

import dataclasses
import html

from calculators.architectures import Architecture
from calculators.catalogs import formats, gpus, models
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import format_duration
from calculators.widgets.spec import Field, Output

CUSTOM_MODEL = "custom"
#: The model choice that uses a bare parameter count instead of an architecture.
BY_PARAMS = "params"
#: Largest batch and token counts the widgets accept (documented on the methodology page).
MAX_BATCH = 4096
MAX_TOKENS = 10_000_000


def model_field(default: str = "llama-3.1-8b") -> Field:
    options = tuple((m.id, m.name) for m in models.all_models().values())
    return Field("model", "Model", "select", default, options=options + ((CUSTOM_MODEL, "Custom: paste a config.json"),))


def config_field() -> Field:
    return Field("config", "config.json (for a custom model)", "textarea", "",
                 help="Paste a Hugging Face config.json; used when the model is Custom.")


def gpu_field(default: str = "h100-sxm", *, name: str = "gpu", label: str = "GPU") -> Field:
    return Field(name, label, "select", default, options=tuple((g.id, g.name) for g in gpus.all_gpus().values()))


#: The engine argument behind each published format field name: the engines' errors about it land on the field.
FORMAT_ENGINE_NAMES = {"weights": ("weight_format",), "format": ("weight_format",), "kv_dtype": ("kv_format",)}


def format_field(name: str, label: str, default: str, choices: tuple[str, ...] | None = None) -> Field:
    ids = choices or tuple(formats.all_formats())
    return Field(name, label, "select", default, options=tuple((f, formats.get(f).label) for f in ids),
                 engine_names=FORMAT_ENGINE_NAMES.get(name, ()))


def count_field(name: str, label: str, default: int, help: str = "", engine_names: tuple[str, ...] = ()) -> Field:
    return Field(name, label, "number", str(default), help=help, engine_names=engine_names)


def architecture(inputs) -> tuple[str, Architecture]:
    """The model to compute with: the pasted config.json for Custom, else the catalog entry."""
    if inputs.get("model") == CUSTOM_MODEL:
        config = inputs.get("config", "")
        if not config.strip():
            raise InputError("config", "paste a config.json, or pick a model from the list")
        return models.resolve("custom config", config)
    if inputs.get("config", "").strip():
        raise InputError("config", "pick “Custom” as the model to use a pasted config.json")
    return models.resolve(inputs.get("model"))


def model_or_params_field(default: str = "llama-3.1-8b") -> Field:
    """The model list plus a choice that uses the bare parameter count below it."""
    field = model_field(default)
    return dataclasses.replace(field, options=field.options + ((BY_PARAMS, "By parameter count (below)"),))


def params_field(default: str = "8.03e9", label: str = "Parameters (when the model is “By parameter count”)") -> Field:
    return Field("params", label, "number", default, help="For example 8.03e9 or 70e9.")


def model_or_params(inputs):
    """(label, Architecture or None, parameter count) from the model, config and params fields."""
    if inputs.get("model") == BY_PARAMS:
        if inputs.get("config", "").strip():
            architecture({**inputs, "model": "x"})  # raises: a pasted config needs “Custom”
        count = round(validate.number("params", inputs["params"], minimum=1, maximum=validate.MAX_PARAMS))
        shown = f"{count / 1e9:,.4g} billion" if count >= 1e9 else f"{count:,}"
        return f"{shown} parameters", None, count
    label, arch = architecture(inputs)
    return label, arch, arch.n_params


#: The GPU counts the tensor-parallel inputs offer.
TP_DEGREES = (1, 2, 4, 8)


def catalog_model_field(default: str = "llama-3.1-8b") -> Field:
    """The model select without the pasted-config choice, for small in-entry widgets."""
    full = model_field(default)
    return Field(full.name, full.label, "select", default,
                 options=tuple(o for o in full.options if o[0] != CUSTOM_MODEL))


def degree_field(default: int = 1) -> Field:
    """The tensor-parallel GPU count; the engines' errors about ``tensor_parallel`` land here."""
    return Field("tp", "GPUs (tensor-parallel degree)", "select", str(default),
                 options=tuple((str(d), str(d)) for d in TP_DEGREES), engine_names=("tensor_parallel",))


def degree(inputs, name: str = "tp") -> int:
    return int(validate.choice(name, inputs[name], tuple(str(d) for d in TP_DEGREES)))


def batch(inputs, name: str = "batch") -> int:
    return validate.integer(name, inputs[name], minimum=1, maximum=MAX_BATCH)


def tokens(inputs, name: str, *, minimum: int = 1) -> int:
    return validate.integer(name, inputs[name], minimum=minimum, maximum=MAX_TOKENS)


def gpu(inputs, name: str = "gpu"):
    return gpus.get(inputs[name], field=name)


#: GPUs listed under "GPUs it fits on" before "… and N more".
SHOWN_FITS = 8


def memory_outputs(total_label: str, *, extra: tuple[Output, ...] = ()) -> tuple[Output, ...]:
    """What the memory widgets show, in order: the totals, any ``extra`` headline, the verdict, the largest part,
    the breakdown chart, the GPUs it fits on and the notes."""
    return (Output("total", total_label), Output("peak", "Peak allocated (PyTorch's or the runtime's allocator)"), *extra,
            Output("verdict", "Verdict", "note"), Output("advice", "Largest part", "note"),
            Output("chart", "Breakdown", "svg"), Output("fits", "GPUs it fits on (tightest first)", "html"),
            Output("notes", "Notes", "note"))


#: The driver context the runtime opens, as each vendor's stack names it (no "CUDA" on a Mac).
CONTEXT_LABELS = {"nvidia": "CUDA context", "amd": "HIP context", "apple": "Metal context"}


def breakdown_chart(estimate, labels: dict[str, str], title: str, gpu) -> str:
    """A memory estimate's components as a stacked bar against ``gpu``'s usable memory."""
    from calculators.charts import stacked_bar
    from calculators.core.units import format_bytes
    labels = {**labels, "cuda_context": CONTEXT_LABELS.get(gpu.vendor, "Runtime context")}
    parts = [(labels.get(name, name), value) for name, value in estimate.components if value > 0]
    return stacked_bar(parts, title=title, value_label=format_bytes, capacity=gpu.usable_memory_bytes,
                       capacity_label=f"{gpu.name}: {format_bytes(gpu.usable_memory_bytes)} usable")


def fit_list(estimate) -> str:
    """The catalog GPUs that hold ``estimate``, tightest first, as an ``html`` output."""
    from calculators.core.units import format_bytes
    from calculators.memory.fit import fits
    fitting = list(fits(estimate, only_fitting=True))
    lines = [f"{f.name}: {format_bytes(f.headroom_bytes)} to spare" for f in fitting[:SHOWN_FITS]]
    if len(fitting) > SHOWN_FITS:
        lines.append(f"… and {len(fitting) - SHOWN_FITS} more")
    return html_list(lines) if lines else "<p>No GPU in the catalog holds this on its own.</p>"


def html_list(items) -> str:
    """An escaped ``<ul>`` for an ``html`` output."""
    return "<ul>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in items) + "</ul>"


def html_table(header, rows) -> str:
    """An escaped table for an ``html`` output."""
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="calc-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def bound_sentence(memory_seconds: float, compute_seconds: float, compute_known: bool, gpu_name: str) -> str:
    """Which of memory traffic and arithmetic sets the step, with both times."""
    if not compute_known:
        return (f"Memory-bound as modelled: the catalog has no tensor throughput for {gpu_name}, so only memory "
                f"time ({format_duration(memory_seconds)}) is counted.")
    if compute_seconds > memory_seconds:
        return (f"Compute-bound: the arithmetic ({format_duration(compute_seconds)}) takes longer than reading the "
                f"weights and KV cache ({format_duration(memory_seconds)}).")
    return (f"Memory-bound: reading the weights and KV cache ({format_duration(memory_seconds)}) takes longer than the "
            f"arithmetic ({format_duration(compute_seconds)}).")


def notes_text(notes) -> str:
    """Notes as one paragraph of sentences: each ends with a full stop, and no notes reads "—"."""
    sentences = [n.strip() if n.strip().endswith((".", "!", "?")) else n.strip() + "." for n in notes if n.strip()]
    return " ".join(sentences) or "—"
