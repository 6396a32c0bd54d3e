"""Server-rendered SVG charts for the console: readable without JavaScript, each with its
title and a text alternative; labels and values are escaped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from html import escape

from fastapi import Response

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 72


def shown(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "days":
        return f"{value:.1f}"
    return f"{value:,.0f}".replace(",", " ")


def bar_chart(points: Sequence[tuple[str, float]], *, unit: str, title: str) -> str:
    """A bar per point, the value above it, the label under it (turned when there are many)."""
    if not points:
        return ""
    top = max(*(value for _label, value in points), 1e-9)
    low = min(*(value for _label, value in points), 0.0)  # a score may be negative (NPS)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    zero = TOP + plot_h * top / (top - low)  # the baseline: the bottom unless a value is below 0
    span = top - low
    step = plot_w / len(points)
    bar = max(2.0, step * 0.7)
    turned = len(points) > 6
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img"'
        f' aria-label="{escape(title)}" class="chart">'
    )
    parts = [opening, f"<title>{escape(title)}</title>"]
    for tick in range(5):
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        tick_label = shown(low + span * tick / 4, unit)
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick_label}</text>')
    for i, (label, value) in enumerate(points):
        h = plot_h * abs(value) / span
        x = LEFT + i * step + (step - bar) / 2
        y = zero - h if value >= 0 else zero
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#1f6feb">'
            f"<title>{escape(label)}: {shown(value, unit)}</title></rect>"
        )
        if len(points) <= 16:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">'
                f"{shown(value, unit)}</text>"
            )
        lx, ly = x + bar / 2, TOP + plot_h + 14
        rotate = f' transform="rotate(-40 {lx:.1f} {ly:.1f})"' if turned else ""
        anchor = "end" if turned else "middle"
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="11"{rotate}>{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def csv_download(rows: Iterable[Sequence[object]], filename: str) -> Response:
    """A chart's figures as a CSV attachment, never cached (they are the operator's figures)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
