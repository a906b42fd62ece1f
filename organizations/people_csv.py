"""The CSV of people an admin uploads to set departments, read without a
database: a header `email,department` (any case, a comma or a semicolon
between cells), then one person a line. Rows are numbered like a
spreadsheet's lines: the header is line 1."""

import csv
import io
from typing import Any

from contracts.csv_import import csv_separator
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError, InvalidRows

COLUMNS = ("email", "department")
MAX_DEPARTMENT = 100


def parse_people(text: str) -> list[tuple[int, str, str]]:
    """(line, email in lower case, department) per row, or InvalidRows
    naming every bad row; DomainError for a header that is not the one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_separator(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise DomainError(
            "The header must be email,department (one person a line below it).",
            code=ErrorCode.INVALID_FILE,
        )
    rows: list[tuple[int, str, str]] = []
    bad: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        errors = []
        if len(cells) != len(COLUMNS):
            errors.append(f"It has {len(cells)} cells; a row has 2: email,department.")
            bad.append({"row": line, "errors": errors})
            continue
        email, department = cells[0].strip().lower(), cells[1].strip()
        if "@" not in email:
            errors.append(f'email "{email[:60]}" is not an email address.')
        if len(department) > MAX_DEPARTMENT:
            errors.append(f"department is longer than {MAX_DEPARTMENT} characters.")
        if email in seen:
            errors.append(f"{email} is on line {seen[email]} already.")
        seen.setdefault(email, line)
        if errors:
            bad.append({"row": line, "errors": errors})
        else:
            rows.append((line, email, department))
    if bad:
        raise InvalidRows(_bad_rows_message(bad), rows=bad)
    if not rows:
        raise DomainError(
            "The file has a header but nobody in it. Add one person a line.",
            code=ErrorCode.INVALID_FILE,
        )
    return rows


def _bad_rows_message(bad: list[dict[str, Any]]) -> str:
    first = bad[0]
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    return (
        f"Nothing was changed: line {first['row']} is not valid "
        f"({first['errors'][0]}){more}. Fix the lines listed in rows and upload "
        "the whole file again."
    )
