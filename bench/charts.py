"""Grouped bar charts as standalone SVG (no plotting library needed), for BENCHMARKS.md."""
import math
from html import escape

COLORS = ["#3b6fb6", "#c8553d", "#6a994e", "#8d6a9f"]


def _ticks(top, log):
    if log:
        return [10 ** e for e in range(0, int(math.ceil(math.log10(top))) + 1)]
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(0, int(math.ceil(top / step)) + 1)]


def _label(v):
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def bar_chart(path, title, groups, series, values, unit, log=False, line=None, line_label=None):
    """groups: x categories; series: names; values[series][group] (None: not measured); line: a horizontal
    reference value (a target), drawn dashed."""
    width, height, left, right, top, bottom = 720, 360, 70, 20, 48, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    measured = [v for s in series for v in values[s] if v is not None] + ([line] if line else [])
    ticks = _ticks(max(measured) * 1.08, log)
    low, high = (1, ticks[-1]) if log else (0, ticks[-1])

    def y(v):
        if log:
            v = max(v, 1)
            return top + plot_h - (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low)) * plot_h
        return top + plot_h - (v - low) / (high - low) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_label(t)}</text>')
    out.append(f'<text transform="translate(16,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
               f'{escape(unit)}{" (log scale)" if log else ""}</text>')
    group_w = plot_w / len(groups)
    bar_w = group_w * 0.8 / len(series)
    for gi, g in enumerate(groups):
        x0 = left + gi * group_w + group_w * 0.1
        for si, s in enumerate(series):
            v = values[s][gi]
            if v is None:
                continue
            x = x0 + si * bar_w
            out.append(f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w - 2:.1f}" height="{top + plot_h - y(v):.1f}" '
                       f'fill="{COLORS[si % len(COLORS)]}"><title>{escape(s)}: {v:g}</title></rect>')
            out.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" font-size="10">'
                       f'{f"{v:.2f}".rstrip("0").rstrip(".") if v < 10 else f"{round(v):,}"}</text>')
        out.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" '
                   f'text-anchor="middle">{escape(g)}</text>')
    if line:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(line):.1f}" y2="{y(line):.1f}" '
                   f'stroke="#222" stroke-dasharray="6,4"/>')
        out.append(f'<text x="{left + 4}" y="{y(line) - 5:.1f}">{escape(line_label or "")}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#444"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#444"/>')
    lx = left
    for si, s in enumerate(series):
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="{COLORS[si % len(COLORS)]}"/>')
        out.append(f'<text x="{lx + 16}" y="{height - 12}">{escape(s)}</text>')
        lx += 26 + 7 * len(s)
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")
