from dashboard.charts import _nice_top, line_chart_svg


def test_it_rounds_the_axis_up_to_a_round_number():
    assert [_nice_top(v) for v in (1, 3, 7, 12, 180, 4999)] == [1, 5, 10, 20, 200, 5000]


def test_it_draws_labelled_axes_a_line_per_series_and_a_legend():
    svg = line_chart_svg(
        title="Slack <team>",
        months=["2026-01", "2026-02", "2026-03"],
        series=[("active users", [3, 5, 4]), ("seats", [10, 10, 10])],
        y_label="users",
    )

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Slack &lt;team&gt;" in svg and "<team>" not in svg
    assert svg.count("<polyline") == 2
    assert ">26-01<" in svg and ">26-03<" in svg
    assert ">users<" in svg and "month (UTC, YY-MM)" in svg
    assert ">10<" in svg  # the top tick
    assert ">active users<" in svg and ">seats<" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_it_leaves_a_gap_where_a_month_has_no_data():
    svg = line_chart_svg(
        title="Slack",
        months=["2026-01", "2026-02", "2026-03", "2026-04"],
        series=[("active users", [None, None, 5, 4])],
        y_label="users",
    )

    # One line over the two months with data; nothing drawn at 0 before it.
    [line] = [part for part in svg.split("<") if part.startswith("polyline")]
    assert line.count(",") == 2
    y_of_zero = "232.0"  # the plot's bottom edge: TOP + plot height
    assert f",{y_of_zero}" not in line
