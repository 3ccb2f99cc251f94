"""SVG charts drawn by the calculators, the same at build time and in the browser.

Text uses ``currentColor`` so charts follow the page's light or dark palette; the
categorical colours are mid-tone and read on both. Every chart carries a
``<title>`` and ``<desc>`` (its text alternative) and escapes every label.
"""

from calculators.charts.bars import stacked_bar
from calculators.charts.lines import Series, line_chart
from calculators.charts.svg import PALETTE

__all__ = ["PALETTE", "Series", "line_chart", "stacked_bar"]
