"""The SVG document shell, escaping and number formatting shared by the charts."""

import hashlib
import html

#: Tableau 10: distinguishable, and legible on white and on Material's slate background.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
FONT_SIZE = 12


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def document(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    """A complete ``<svg>`` with its text alternative; ids derive from the content, so they are stable."""
    key = hashlib.sha1("".join([title, desc, *body]).encode()).hexdigest()[:10]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="100%" '
            f'role="img" aria-labelledby="t-{key} d-{key}" font-size="{FONT_SIZE}" font-family="inherit" '
            f'class="calc-chart"><title id="t-{key}">{esc(title)}</title><desc id="d-{key}">{esc(desc)}</desc>'
            + "".join(body) + "</svg>")


def text(x: float, y: float, label, *, anchor: str = "start", size: float | None = None, weight: str = "",
         opacity: float = 1.0) -> str:
    extra = (f' font-size="{size:g}"' if size else "") + (f' font-weight="{weight}"' if weight else "")
    extra += f' fill-opacity="{opacity:g}"' if opacity != 1 else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="currentColor"{extra}>{esc(label)}</text>'


def compact(value: float) -> str:
    """Short axis label: 1.5k, 20M, 0.25."""
    for size, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
