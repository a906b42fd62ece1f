"""CSV answers for the reports: `Accept: text/csv` or `?format=csv`.

A report view that offers CSV lists CSVRenderer beside JSON and says how its
JSON becomes a table (`csv_table`); the cells are the JSON's figures, made
safe for spreadsheets (procure_site/spreadsheets.py). Errors stay JSON
whatever was asked for, so that a client reads every refusal one way.
"""

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from procure_site.spreadsheets import csv_cell

# The columns of a table and its rows, in the same order.
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        view = (renderer_context or {})["view"]
        return csv_bytes(view.csv_table(data))


def csv_bytes(table: Table) -> bytes:
    """`table` as a CSV file: RFC 4180's CRLF, as spreadsheets expect, and
    every cell made safe to open (procure_site/spreadsheets.py)."""
    columns, rows = table
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode()


class CSVReportMixin:
    """JSON by default, CSV on request for GET; errors and OPTIONS always in
    JSON. The view defines `csv_table(data) -> (columns, rows)` over its
    serialized report and `csv_name` for the download's file name."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, CSVRenderer]
    csv_name = "report"
    csv_table: Callable[[Any], Table]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(renderer, CSVRenderer):
            # Only a report is a table: a refusal, or the description that
            # OPTIONS answers, stays JSON.
            if response.status_code >= 400 or request.method not in ("GET", "HEAD"):
                request.accepted_renderer = JSONRenderer()
                request.accepted_media_type = JSONRenderer.media_type
            else:
                response["Content-Disposition"] = (
                    f'attachment; filename="{self.csv_name}.csv"'
                )
        finalized: Response = super().finalize_response(  # type: ignore[misc]
            request, response, *args, **kwargs
        )
        return finalized
