"""A horizontal stacked bar: parts of a whole against a capacity (e.g. memory components vs a GPU)."""

from collections.abc import Callable, Sequence

from calculators.charts.svg import PALETTE, document, esc, text

WIDTH = 640
BAR_HEIGHT = 34


def stacked_bar(parts: Sequence[tuple[str, float]], *, title: str, value_label: Callable[[float], str],
                capacity: float | None = None, capacity_label: str = "") -> str:
    """Parts (label, value ≥ 0) left to right, a legend below, and a marker at ``capacity``."""
    parts = [(label, value) for label, value in parts if value > 0]
    total = sum(value for _, value in parts)
    scale_max = max(total, capacity or 0) * 1.04 or 1.0
    left, right = 8, WIDTH - 8
    span = right - left
    body = []
    x = left
    for index, (label, value) in enumerate(parts):
        width = span * value / scale_max
        body.append(f'<rect x="{x:.2f}" y="8" width="{max(width, 0.5):.2f}" height="{BAR_HEIGHT}" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"><title>{esc(label)}: {esc(value_label(value))}</title></rect>')
        x += width
    height = 8 + BAR_HEIGHT + 16
    if capacity:
        cx = left + span * capacity / scale_max
        over = total > capacity
        body.append(f'<line x1="{cx:.2f}" x2="{cx:.2f}" y1="2" y2="{8 + BAR_HEIGHT + 6}" stroke="currentColor" '
                    f'stroke-width="2" stroke-dasharray="{"4 2" if over else "none"}"/>')
        anchor = "end" if cx > WIDTH * 0.6 else "start"
        offset = -4 if anchor == "end" else 4
        body.append(text(cx + offset, 8 + BAR_HEIGHT + 16, capacity_label, anchor=anchor, size=11))
        height += 6
    y = height + 8
    columns = 2
    for index, (label, value) in enumerate(parts):
        col, row = index % columns, index // columns
        lx, ly = left + col * (span / columns), y + row * 20
        body.append(f'<rect x="{lx:.1f}" y="{ly - 10:.1f}" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>')
        body.append(text(lx + 18, ly, f"{label}: {value_label(value)}"))
    height = y + ((len(parts) + columns - 1) // columns) * 20
    described = "; ".join(f"{label} {value_label(value)}" for label, value in parts)
    desc = f"Total {value_label(total)}: {described}."
    if capacity:
        desc += f" Capacity {capacity_label}: {'exceeded' if total > capacity else 'fits'}."
    return document(WIDTH, height, title, desc, body)
