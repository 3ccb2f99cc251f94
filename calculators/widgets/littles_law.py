"""Widget: bytes a GPU must keep in flight to reach its memory bandwidth (Little's law), in total and per SM."""

from calculators.catalogs import sm_limits
from calculators.core import validate
from calculators.core.units import TB, format_bytes
from calculators.device.littles_law import MAX_LATENCY_NS, bytes_in_flight
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

LOAD_CHOICES = (("4", "4 bytes (one float per thread)"), ("8", "8 bytes"), ("16", "16 bytes (float4 / 128-bit)"))
#: Largest typed bandwidth accepted, in TB/s (well above any accelerator).
MAX_BANDWIDTH_TB_S = 1000


def _compute(inputs):
    gpu = fields.gpu(inputs)
    typed = inputs.get("bandwidth", "").strip()
    if typed:
        tb_per_s = validate.number("bandwidth", typed, minimum=0, maximum=MAX_BANDWIDTH_TB_S, exclusive_minimum=True)
        source = f"{tb_per_s:g} TB/s (typed)"
    else:
        tb_per_s = gpu.memory_bandwidth_tb_per_s
        source = f"{gpu.name}: {tb_per_s:g} TB/s"
    latency_ns = validate.number("latency", inputs["latency"], minimum=0, maximum=MAX_LATENCY_NS,
                                 exclusive_minimum=True)
    load_bytes = int(validate.choice("load", inputs["load"], [value for value, _ in LOAD_CHOICES]))
    flight = bytes_in_flight(tb_per_s * TB, latency_ns * 1e-9, units=gpu.compute_units)
    unit = gpu.compute_unit_kind or "SM"
    sm = sm_limits.all_limits().get(gpu.compute_capability or "")
    if flight.per_unit_bytes is None:
        per_unit = f"the catalog lists no {unit} count for {gpu.name}"
        loads = per_thread = "—"
    else:
        per_unit = f"{format_bytes(flight.per_unit_bytes, binary=False)} on each of {flight.units:,} {unit}s"
        loads = f"{flight.loads_per_unit(load_bytes):,.0f} loads of {load_bytes} bytes outstanding per {unit}"
        if sm is not None:
            loads += (f", {flight.loads_per_unit(sm.warp_size * load_bytes):,.0f} warp-wide loads of "
                      f"{sm.warp_size * load_bytes} bytes")
        if sm is None:
            per_thread = f"— (no CUDA per-{unit} thread limit for {gpu.name})"
        else:
            need = flight.loads_per_thread(load_bytes, sm.max_threads_per_sm)
            per_thread = (f"{need:.2g} loads of {load_bytes} bytes in flight per thread with all "
                          f"{sm.max_threads_per_sm:,} threads of an {unit} resident (100% occupancy), "
                          f"{need * 2:.2g} at 50% occupancy.")
    return {
        "total": format_bytes(flight.total_bytes, binary=False),
        "per_unit": per_unit,
        "loads": loads,
        "per_thread": per_thread,
        "how": (f"{source} × {latency_ns:g} ns = {format_bytes(flight.total_bytes, binary=False)} outstanding at "
                "every moment. Latency rises as the memory system fills, so measure it under load."),
    }


WIDGET = Widget(
    id="littles-law",
    title="Bytes in flight (Little's law)",
    summary="Bandwidth × latency: the memory requests that must be outstanding to keep DRAM busy.",
    fields=(
        fields.gpu_field("h100-sxm"),
        Field("bandwidth", "Bandwidth (TB/s)", "number", "",
              help="Leave empty to use the GPU's memory bandwidth from the catalog."),
        Field("latency", "Memory latency (ns)", "number", "600",
              help="Loaded DRAM latency; about 600 ns is a round figure for HBM GPUs."),
        Field("load", "Bytes per load per thread", "select", "4", options=LOAD_CHOICES),
    ),
    outputs=(
        Output("total", "Bytes in flight"),
        Output("per_unit", "Per SM"),
        Output("loads", "Loads outstanding", "note"),
        Output("per_thread", "Per thread", "note"),
        Output("how", "How", "note"),
    ),
    compute=_compute,
    example={"gpu": "rtx-4090", "latency": "450", "load": "16"},
    invalid=("latency", "0"),
)
