"""Charts drawn on the server as SVG with leather (issue 11): the same markup goes into the page
and into the PDF (WeasyPrint draws inline SVG), and nothing is fetched from the internet.

leather writes presentation attributes (fill, stroke, font-family), never a `style` attribute,
a <style> element or a script: the strict Content-Security-Policy (no inline styles or scripts)
allows the markup inline in the page. `_accessible` still removes any `style` attribute, so a
later leather cannot break the policy unseen, and names the chart for screen readers
(role="img", aria-label, <title>); the page shows the same figures as a table beside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import leather

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

WIDTH, HEIGHT = 720, 320
FONT = "Arial, Helvetica, sans-serif"
# Ordered: the house's blue, solid; performed: dark orange, dashed, so that the two lines differ
# in more than colour (WCAG 1.4.1).
ORDERED_COLOUR = "#1d4f91"
PERFORMED_COLOUR = "#a34700"
TEXT_COLOUR = "#333333"


@dataclass(frozen=True)
class HoursRow:
    """One month of the chart: its label ("jan 2026") and the hours ordered and performed."""

    label: str
    ordered: float
    performed: float


def hours_by_month_svg(
    rows: Sequence[HoursRow],
    *,
    title: str = "Beställd och utförd tid per månad, timmar",
    ordered_name: str = "Beställd tid",
    performed_name: str = "Utförd tid",
) -> str:
    """A line chart of the hours ordered against performed, month by month, as SVG markup for
    an HTML page or a PDF. "" for no months (the page then says there is nothing to show)."""
    if not rows:
        return ""
    last = max(len(rows) - 1, 1)
    top = max(max(row.ordered for row in rows), max(row.performed for row in rows), 1)
    chart = leather.Chart()
    chart.add_x_scale(0, last)
    chart.add_y_scale(0, _nice_top(top))
    labels = [row.label for row in rows]
    # Every month named when they fit, otherwise every second or third.
    step = 1 if len(rows) <= 12 else 2 if len(rows) <= 24 else 3
    chart.add_x_axis(
        ticks=list(range(0, len(rows), step)),
        tick_formatter=lambda value, _index, _count=None: labels[int(value)],
    )
    chart.add_y_axis(tick_formatter=lambda value, _index, _count=None: f"{value:g}")
    ordered = [(index, row.ordered) for index, row in enumerate(rows)]
    performed = [(index, row.performed) for index, row in enumerate(rows)]
    if len(rows) == 1:  # a single month draws no line: its points
        chart.add_dots(ordered, name=ordered_name, fill_color=ORDERED_COLOUR, radius=6)
        chart.add_dots(performed, name=performed_name, fill_color=PERFORMED_COLOUR, radius=4)
    else:
        chart.add_line(ordered, name=ordered_name, stroke_color=ORDERED_COLOUR, width=3)
        chart.add_line(
            performed,
            name=performed_name,
            stroke_color=PERFORMED_COLOUR,
            width=3,
            stroke_dasharray="8 4",
        )
    return _accessible(chart.to_svg(width=WIDTH, height=HEIGHT), title)


def _nice_top(value: float) -> float:
    """The y axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten."""
    power = 1.0
    while power * 10 < value:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


def _accessible(svg: str, title: str) -> str:
    """The chart scaled to its container (viewBox, a class for the style sheet), named for
    screen readers, in our font, with no `style` attribute."""
    root = ET.fromstring(svg)  # noqa: S314 - leather's own output, not the user's
    width, height = root.get("width"), root.get("height")
    root.set("viewBox", f"0 0 {width} {height}")
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("focusable", "false")
    title_element = ET.Element(f"{{{SVG_NS}}}title")
    title_element.text = title
    root.insert(0, title_element)
    for element in root.iter():
        element.attrib.pop("style", None)
        if element.tag == f"{{{SVG_NS}}}text":
            element.set("font-family", FONT)
            element.set("fill", TEXT_COLOUR)  # leather's greys are too faint to read
    return ET.tostring(root, encoding="unicode")
