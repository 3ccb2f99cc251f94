"""Widget: theoretical occupancy of a kernel on one SM, the blocks each resource allows and which one limits."""

from calculators.catalogs import gpus, sm_limits
from calculators.charts import Series, line_chart
from calculators.core import validate
from calculators.core.units import KIB
from calculators.device import occupancy
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

CC_PREFIX = "cc-"
#: Largest shared-memory request accepted before the per-capability check (well above any SM).
MAX_SHARED_KIB = 1024


def _target_options():
    options = [(g.id, f"{g.name} (cc {g.compute_capability})") for g in sm_limits.gpus_with_limits()]
    options += [(CC_PREFIX + cc, f"Compute capability {cc}: {sm.architecture}")
                for cc, sm in sm_limits.all_limits().items()]
    return tuple(options)


def _steps(points):
    """Corner points of a step function sampled at every register count, so the chart shows flat steps."""
    corners = [points[0]]
    for (x, y), (_, previous) in zip(points[1:], points):
        if y != previous:
            corners += [(x, previous), (x, y)]
    return tuple(corners + [points[-1]])


def _target(value: str):
    """(label, SmLimits) for a catalog GPU id or a ``cc-X.Y`` option."""
    if isinstance(value, str) and value.startswith(CC_PREFIX):
        sm = sm_limits.limits(value[len(CC_PREFIX):])
        return f"compute capability {sm.compute_capability}", sm
    gpu = gpus.get(value)
    return gpu.name, sm_limits.limits_for_gpu(gpu)


def _compute(inputs):
    label, sm = _target(inputs["gpu"])
    threads = validate.integer("threads", inputs["threads"], minimum=1, maximum=sm.max_threads_per_block)
    registers = validate.integer("registers", inputs["registers"], minimum=1, maximum=sm.max_registers_per_thread)
    shared_kib = validate.number("shared", inputs["shared"], minimum=0, maximum=MAX_SHARED_KIB)
    shared = round(shared_kib * KIB)
    result = occupancy.theoretical_occupancy(sm, threads_per_block=threads, registers_per_thread=registers,
                                             shared_memory_per_block_bytes=shared)
    per_resource = {
        "warps": f"{result.warps_per_block} warps per block of {sm.max_warps_per_sm} warp slots",
        "blocks": f"at most {sm.max_blocks_per_sm} resident blocks",
        "registers": (f"{result.registers_per_block:,} registers per block "
                      f"({result.registers_per_warp:,} per warp after rounding) of {sm.registers_per_sm:,}"),
        "shared_memory": (f"{result.shared_memory_allocated_bytes / KIB:g} KiB per block"
                          + (f" (including the {sm.reserved_shared_memory_per_block_kib:g} KiB the driver reserves)"
                             if sm.reserved_shared_memory_per_block_kib else "")
                          + f" of {sm.shared_memory_per_sm_kib:g} KiB"),
    }
    rows = [(occupancy.RESOURCE_LABELS[name] + (" ◀ limit" if name in result.limiting else ""),
             f"{count:,}", per_resource[name]) for name, count in result.blocks_by]
    limiting = " and ".join(occupancy.RESOURCE_LABELS[name].lower() for name in result.limiting)
    notes = []
    if result.launch_error:
        notes.append(result.launch_error.capitalize() + ".")
    if threads % sm.warp_size:
        notes.append(f"{threads} threads is not a multiple of {sm.warp_size}: the last warp runs partly empty "
                     "but takes a full warp slot and its registers.")
    if shared_kib > sm.default_shared_memory_per_block_kib:
        notes.append(f"Above {sm.default_shared_memory_per_block_kib:g} KiB per block the kernel must use dynamic "
                     "shared memory and opt in with cudaFuncSetAttribute.")
    notes.append(f"Theoretical occupancy, assuming the largest shared-memory carveout "
                 f"({sm.shared_memory_per_sm_kib:g} KiB); achieved occupancy is lower when blocks finish unevenly or the grid leaves SMs idle.")
    sweep = occupancy.register_sweep(sm, threads_per_block=threads, shared_memory_per_block_bytes=shared)
    chart = line_chart(
        [Series(f"{threads} threads, {shared_kib:g} KiB shared per block", _steps([(r, 100 * o) for r, o in sweep]))],
        title=f"Occupancy against registers per thread, {label}",
        desc=(f"Theoretical occupancy falls in steps as registers per thread grow; at {registers} registers it is "
              f"{result.occupancy:.1%}."),
        x_label="Registers per thread", y_label="Occupancy (%)",
        annotations=[(registers, 100 * result.occupancy, f"{registers} registers: {result.occupancy:.0%}")])
    return {
        "occupancy": f"{result.occupancy:.1%} ({result.active_warps} of {sm.max_warps_per_sm} warps)",
        "blocks": f"{result.blocks_per_sm} blocks ({result.active_threads:,} threads)",
        "limit": (f"Limited by {limiting}." if result.blocks_per_sm else f"No block fits: limited by {limiting}."),
        "table": fields.html_table(("Resource", "Blocks per SM", "Use"), rows),
        "chart": chart,
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="occupancy",
    title="Occupancy calculator",
    summary="Blocks per SM allowed by warps, block slots, registers and shared memory, and the resulting occupancy.",
    fields=(
        Field("gpu", "GPU or compute capability", "select", "h100-sxm", options=_target_options()),
        fields.count_field("threads", "Threads per block", 256),
        fields.count_field("registers", "Registers per thread", 64,
                           help="From nvcc -Xptxas -v or Nsight Compute; at most 255."),
        Field("shared", "Shared memory per block (KiB)", "number", "0",
              help="Static plus dynamic shared memory, in KiB (1024 bytes)."),
    ),
    outputs=(
        Output("occupancy", "Theoretical occupancy"),
        Output("blocks", "Resident per SM"),
        Output("limit", "Limiting resource", "note"),
        Output("table", "Blocks per SM by resource", "html"),
        Output("chart", "Occupancy by register count", "svg"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"gpu": "rtx-4090", "threads": "128", "registers": "96", "shared": "40"},
    invalid=("registers", "300"),
)
