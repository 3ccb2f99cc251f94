"""Widget: time to move bytes over a GPU's NVLink or host link, as a copy or a ring collective."""

from calculators.catalogs import models
from calculators.core import validate
from calculators.core.units import format_bytes, format_duration
from calculators.device import interconnect
from calculators.memory.weights import weight_memory
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

NO_MODEL = "none"
#: The weight format a model's size is taken in.
MODEL_FORMAT = "bf16"


def _both(value: float) -> str:
    """Binary and decimal units, since link rates are decimal and buffers are usually sized in binary."""
    return f"{format_bytes(value)} ({format_bytes(value, binary=False)})"


def _size(inputs) -> tuple[float, str]:
    model = inputs.get("model", NO_MODEL)
    if model and model != NO_MODEL:
        entry = models.get(model)
        memory = weight_memory(models.resolve(entry.id)[1].n_params, MODEL_FORMAT)
        return memory.bytes, f"{entry.name} weights in BF16 ({format_bytes(memory.bytes, binary=False)})"
    size = interconnect.parse_size("size", inputs["size"])
    return size, _both(size)


def _compute(inputs):
    gpu = fields.gpu(inputs)
    size, size_label = _size(inputs)
    chosen = interconnect.link(gpu, inputs["link"])
    collective = inputs["collective"]
    n = validate.integer("gpus", inputs["gpus"], minimum=1, maximum=interconnect.MAX_GPUS)
    result = interconnect.transfer(size, chosen, collective=collective, gpus=n)
    rate = result.one_way_bytes_per_s
    name = interconnect.COLLECTIVES[collective][0]
    lines = [f"{chosen.name}: {chosen.bandwidth_gb_per_s:g} GB/s in the catalog, both directions together; "
             f"{rate / 1e9:g} GB/s each way."]
    if collective == "copy":
        how = f"{size_label} ÷ {rate / 1e9:g} GB/s"
    else:
        factor = interconnect.collective_factor(collective, n)
        formula = "2(N−1)/N" if collective == "all-reduce" else "(N−1)/N"
        how = (f"{formula} = {factor:.3g} × {size_label} = {_both(result.bytes_per_gpu)} "
               f"sent by each GPU, ÷ {rate / 1e9:g} GB/s")
    if "bridge" in chosen.name.lower() and n > 2:
        lines.append("An NVLink bridge joins a pair of GPUs; beyond two, traffic between pairs crosses PCIe.")
    if collective != "copy" and inputs["link"] == "host":
        lines.append("Over PCIe the GPUs share the host's lanes and switches; expect less than this.")
    lines.append("A lower bound at the rated rate: NCCL adds latency per step and reaches perhaps 80–90% of it.")
    return {
        "time": format_duration(result.seconds),
        "per_gpu": _both(result.bytes_per_gpu),
        "how": f"{name}: {how} = {format_duration(result.seconds)}.",
        "notes": fields.notes_text(lines),
    }


WIDGET = Widget(
    id="interconnect-transfer",
    title="Transfer and all-reduce time",
    summary="Bytes over a GPU's NVLink or PCIe link, as a copy or a ring collective across N GPUs.",
    fields=(
        Field("size", "Data size", "text", "64 MiB",
              help="e.g. 64 MiB, 16 GB, 2e9 (bytes); ignored when a model is chosen."),
        Field("model", "Or a model's weights (BF16)", "select", NO_MODEL,
              options=((NO_MODEL, "— (use the size above)"),) + tuple(
                  (m.id, m.name) for m in models.all_models().values())),
        fields.gpu_field("h100-sxm"),
        Field("link", "Link", "select", "interconnect", options=tuple(interconnect.LINKS.items())),
        Field("collective", "Operation", "select", "all-reduce",
              options=tuple((key, label) for key, (label, _) in interconnect.COLLECTIVES.items())),
        fields.count_field("gpus", "GPUs (N)", 8,
                           help="GPUs taking part in a collective; a copy is always between two."),
    ),
    outputs=(
        Output("time", "Time at the link's full rate"),
        Output("per_gpu", "Bytes each GPU sends"),
        Output("how", "How", "note"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"size": "1 GiB", "collective": "copy", "link": "host"},
    invalid=("size", "lots"),
)
