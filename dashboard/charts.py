"""Server-rendered SVG line charts for the staff console: no script, no CDN,
nothing fetched. Pure: tested without a database."""

from django.utils.html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 48
COLOURS = ["#417690", "#ba2121", "#79aec8", "#e69f00"]


def _nice_top(value: int) -> int:
    """The smallest round number (1, 2 or 5 times a power of ten) >= value."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if step * top >= value:
                return step * top
        top *= 10


def _runs(values: list[int | None]) -> list[list[tuple[int, int]]]:
    """The (index, value) runs between the gaps (None) of a line."""
    runs: list[list[tuple[int, int]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]


def line_chart_svg(
    *,
    title: str,
    months: list[str],
    series: list[tuple[str, list[int | None]]],
    y_label: str,
) -> str:
    """A line chart of monthly values: one line per (name, values) in `series`,
    with the months on the x axis, a labelled y axis with ticks, and a legend.
    A value of None (a month proCure has no data for) is a gap in its line,
    never a 0.

    Returns SVG markup; every text is escaped.
    """
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top = _nice_top(
        max([1, *(v for _, values in series for v in values if v is not None)])
    )
    step_x = plot_width / max(len(months) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step_x

    def y(value: int) -> float:
        return TOP + plot_height - value / top * plot_height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="usage-chart" '
        'style="width:100%;max-width:640px;height:auto;font:11px sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = top * tick // 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{value:,}</text>"
        )
    parts.append(
        f'<text transform="translate(12 {TOP + plot_height / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for index, month in enumerate(months):
        # Every other label when the months would crowd each other.
        if len(months) <= 12 or index % 2 == 0:
            parts.append(
                f'<text x="{x(index):.1f}" y="{TOP + plot_height + 16}" '
                f'text-anchor="middle">{escape(month[2:])}</text>'
            )
    parts.append(
        f'<text x="{LEFT + plot_width / 2:.1f}" y="{HEIGHT - 20}" '
        'text-anchor="middle">month (UTC, YY-MM)</text>'
    )
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for run in _runs(values):
            if len(run) == 1:
                index, value = run[0]
                parts.append(
                    f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" '
                    f'fill="{colour}"/>'
                )
                continue
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{points}"/>'
            )
        legend_x = LEFT + number * 180
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 12}" width="10" height="10" '
            f'fill="{colour}"/><text x="{legend_x + 14}" y="{HEIGHT - 3}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
