"""A line chart with linear or logarithmic axes, optional point markers and annotations."""

import dataclasses
import math
from collections.abc import Sequence

from calculators.charts.svg import PALETTE, compact, document, esc, text

WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 64


@dataclasses.dataclass(frozen=True)
class Series:
    """Points joined by a line, or marked, or both; ``notes`` are one hover text per marked point."""

    label: str
    points: tuple[tuple[float, float], ...]
    dashed: bool = False
    markers: bool = False
    line: bool = True
    notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Axis:
    low: float
    high: float
    log: bool
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(max(value, self.low))
        else:
            low, high = self.low, self.high
        fraction = (value - low) / (high - low) if high > low else 0.5
        return self.start + fraction * (self.end - self.start)

    def ticks(self) -> list[float]:
        if self.log:
            first, last = math.floor(math.log10(self.low)), math.ceil(math.log10(self.high))
            return [10.0**e for e in range(first, last + 1) if self.low <= 10.0**e <= self.high * 1.0001]
        step = _nice_step((self.high - self.low) / 5)
        start = math.ceil(self.low / step) * step
        return [start + i * step for i in range(int((self.high - start) / step) + 1)]


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _range(values: list[float], log: bool) -> tuple[float, float]:
    positive = [v for v in values if v > 0] if log else values
    low, high = (min(positive), max(positive)) if positive else (1.0, 10.0)
    if log:
        return 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high))
    low = min(low, 0.0)
    return low, high * 1.08 if high > low else low + 1


def line_chart(series: Sequence[Series], *, title: str, desc: str, x_label: str, y_label: str,
               log_x: bool = False, log_y: bool = False,
               annotations: Sequence[tuple[float, float, str]] = ()) -> str:
    """Series as polylines; ``annotations`` are (x, y, label) points drawn as labelled dots."""
    xs = [x for s in series for x, _ in s.points] + [a[0] for a in annotations]
    ys = [y for s in series for _, y in s.points] + [a[1] for a in annotations]
    x_axis = _Axis(*_range(xs, log_x), log_x, MARGIN_LEFT, WIDTH - MARGIN_RIGHT)
    y_axis = _Axis(*_range(ys, log_y), log_y, HEIGHT - MARGIN_BOTTOM, MARGIN_TOP)
    body = ['<g stroke="currentColor" stroke-opacity="0.25">']
    for tick in x_axis.ticks():
        body.append(f'<line x1="{x_axis(tick):.1f}" x2="{x_axis(tick):.1f}" y1="{MARGIN_TOP}" y2="{HEIGHT - MARGIN_BOTTOM}"/>')
    for tick in y_axis.ticks():
        body.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y_axis(tick):.1f}" y2="{y_axis(tick):.1f}"/>')
    body.append("</g>")
    body += [text(x_axis(t), HEIGHT - MARGIN_BOTTOM + 16, compact(t), anchor="middle", size=11) for t in x_axis.ticks()]
    body += [text(MARGIN_LEFT - 6, y_axis(t) + 4, compact(t), anchor="end", size=11) for t in y_axis.ticks()]
    body.append(text((MARGIN_LEFT + WIDTH - MARGIN_RIGHT) / 2, HEIGHT - MARGIN_BOTTOM + 36, x_label, anchor="middle"))
    body.append(f'<text x="14" y="{(MARGIN_TOP + HEIGHT - MARGIN_BOTTOM) / 2:.1f}" text-anchor="middle" fill="currentColor" '
                f'transform="rotate(-90 14 {(MARGIN_TOP + HEIGHT - MARGIN_BOTTOM) / 2:.1f})">{esc(y_label)}</text>')
    legend_step = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(len(series), 1)
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{x_axis(x):.1f},{y_axis(y):.1f}" for x, y in s.points)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        if s.line:
            body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        if s.markers or not s.line:
            for point, (x, y) in enumerate(s.points):
                circle = f'<circle cx="{x_axis(x):.1f}" cy="{y_axis(y):.1f}" r="3.5" fill="{colour}"'
                note = s.notes[point] if point < len(s.notes) else None
                body.append(f"{circle}><title>{esc(note)}</title></circle>" if note else f"{circle}/>")
        lx = MARGIN_LEFT + 8 + index * min(legend_step, 190)
        if s.line:
            body.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" stroke="{colour}" '
                        f'stroke-width="3"{dash}/>')
        else:
            body.append(f'<circle cx="{lx + 11}" cy="{HEIGHT - 12}" r="4" fill="{colour}"/>')
        body.append(text(lx + 28, HEIGHT - 8, s.label, size=11))
    for x, y, label in annotations:
        cx, cy = x_axis(x), y_axis(y)
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5.5" fill="none" stroke="currentColor" stroke-width="2"/>')
        anchor = "end" if cx > WIDTH * 0.65 else "start"
        body.append(text(cx + (-9 if anchor == "end" else 9), cy - 8, label, anchor=anchor, weight="600"))
    return document(WIDTH, HEIGHT, title, desc, body)
