"""Cells of the CSV files proCure writes, made safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, so a contract named
`=HYPERLINK(...)` would run when an admin opens the report. OWASP's rule
(CSV injection) is to prefix such a cell with a single quote, which the
spreadsheet shows as text; every CSV writer of the service goes through
`csv_cell`.
"""

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """`value` as a CSV cell: None as empty, a formula-leading text quoted.

    Numbers pass unchanged, so that a negative amount stays a number.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
