"""Reading a contracts CSV file in the web app's format.

Pure functions, no database: the file becomes a list of contract rows, or a
DomainError whose sentence says what to fix. contracts.services.contract_import
writes the rows.
"""

import csv
import io
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, TypedDict

from contracts.hosts import contract_product_url, shorten
from contracts.terms import pricing_from_type, status_read, status_refusal
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError, InvalidRows, PayloadTooLarge

IMPORT_COLUMNS = (
    "vendor_name",
    "annual_spend",
    "contract_type",
    "contract_status",
    "payment_type",
    "product_url",
    "number_of_seats",
    "owner",
    "expire_at",
    "created_at",
    "notes",
)
_HEADER_HINT = "The first line must be the header " + ",".join(IMPORT_COLUMNS) + "."
_TEXT_LIMITS = {
    "vendor_name": 200,
    "contract_type": 100,
    "contract_status": 100,
    "payment_type": 100,
    "owner": 200,
}
# Text columns and the contract field each one sets.
_TEXT_FIELDS = {
    "vendor_name": "vendor_name",
    "contract_type": "contract_type",
    "contract_status": "contract_status",
    "payment_type": "payment_type",
    "owner": "owner_name",
    "notes": "notes",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An amount with a decimal comma, as spreadsheets write it where a semicolon
# separates the cells (no thousands separator: "8.000,50" stays refused).
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_WHOLE_NUMBER = re.compile(r"\d+")
_MAX_SPEND = Decimal("1e12")
_MAX_SEATS = 2_147_483_647


class ContractRow(TypedDict, total=False):
    """The contract fields one row sets; an empty optional cell is left out."""

    vendor_name: str
    product_url: str
    vendor_domain: str
    annual_spend: Decimal
    num_seats: int
    contract_type: str
    contract_status: str
    pricing_model: str
    payment_type: str
    owner_name: str
    notes: str
    created_at: datetime
    expire_at: datetime


def read_text(csv_file: IO[bytes], *, max_bytes: int) -> str:
    """The file's text; PayloadTooLarge over `max_bytes`, DomainError when it
    is not UTF-8 or has nothing in it."""
    raw = csv_file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(
            f"The file is larger than the limit of {max_bytes} bytes "
            f"({max_bytes / 1_048_576:.1f} MiB). Split it into smaller files and "
            "import each one."
        )
    try:
        # utf-8-sig drops the byte order mark that spreadsheet programs add.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.",
            code=ErrorCode.INVALID_FILE,
        ) from None
    if not text.strip():
        raise DomainError(
            f"The file is empty. {_HEADER_HINT}", code=ErrorCode.INVALID_FILE
        )
    # Strict UTF-8 cannot yield a lone surrogate, but it passes NUL, which
    # PostgreSQL refuses in text and no spreadsheet writes in a CSV.
    if "\x00" in text:
        raise DomainError(
            "The file contains NUL characters, so it is not a CSV file. Save "
            "it as CSV UTF-8 and upload it again.",
            code=ErrorCode.INVALID_FILE,
        )
    return text


def parse_header(cells: list[str]) -> list[str]:
    """The column names of the header line, or DomainError naming each missing,
    unknown and repeated column."""
    header = [cell.strip().lower() for cell in cells]
    # Spreadsheets often pad lines with empty trailing cells.
    while header and not header[-1]:
        header.pop()
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    unknown = [column for column in header if column not in IMPORT_COLUMNS]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if missing:
        problems.append("It lacks the columns " + ", ".join(missing) + ".")
    if unknown:
        problems.append(
            "It has columns proCure does not know: "
            + ", ".join(f'"{shorten(column, 40)}"' for column in unknown)
            + "."
        )
    if duplicated:
        problems.append("It repeats the columns " + ", ".join(duplicated) + ".")
    if problems:
        raise DomainError(
            " ".join(["The header is not valid.", *problems, _HEADER_HINT]),
            code=ErrorCode.INVALID_FILE,
        )
    return header


def parse_spend(text: str) -> Decimal:
    """An annual_spend cell; ValueError with a sentence for anything else."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= _MAX_SPEND:
        raise ValueError(
            f'annual_spend "{shorten(text, 40)}" is not an amount. Write a number '
            "of 0 or more without a currency sign, such as 8000 or 8000.50."
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("annual_spend has more than 2 decimal places.")
    return value


def parse_seats(text: str) -> int:
    """A number_of_seats cell; ValueError with a sentence for anything else."""
    if not _WHOLE_NUMBER.fullmatch(text) or int(text) > _MAX_SEATS:
        raise ValueError(
            f'number_of_seats "{shorten(text, 40)}" is not a whole number of 0 or more.'
        )
    return int(text)


def parse_date(column: str, text: str) -> datetime:
    """A YYYY-MM-DD cell of `column` as midnight UTC; ValueError otherwise."""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f'{column} "{shorten(text, 40)}" is not a date written YYYY-MM-DD, '
            "such as 2026-10-01."
        ) from None
    return datetime.combine(day, time.min, tzinfo=UTC)


def csv_separator(text: str) -> str:
    """The character that separates the file's cells: a comma, or the
    semicolon that spreadsheet programs write in locales whose decimal mark is
    a comma (Excel in much of Europe). Read from the header line, which names
    eleven columns and so holds ten separators."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def parse_row(
    cells: dict[str, str], *, decimal_comma: bool = False
) -> tuple[ContractRow, list[str]]:
    """The contract a row's cells (by column) describe, and what is wrong with
    the row.

    An empty optional cell is left out, so that it keeps the contract's value
    (or the default for a new contract). With `decimal_comma` (a file whose
    cells a semicolon separates), an amount may be written 8000,50.
    """
    if decimal_comma and _DECIMAL_COMMA.fullmatch(cells["annual_spend"]):
        cells = {**cells, "annual_spend": cells["annual_spend"].replace(",", ".")}
    row: ContractRow = {}
    errors: list[str] = []
    for column in ("vendor_name", "product_url"):
        if not cells[column]:
            errors.append(f"{column} is required.")
    for column, limit in _TEXT_LIMITS.items():
        if len(cells[column]) > limit:
            errors.append(f"{column} is longer than {limit} characters.")
    if cells["product_url"]:
        try:
            row["product_url"], row["vendor_domain"] = contract_product_url(
                url=cells["product_url"]
            )
        except DomainError as exc:
            errors.append(exc.detail)
    parsers = {
        "annual_spend": ("annual_spend", parse_spend),
        "number_of_seats": ("num_seats", parse_seats),
        "expire_at": ("expire_at", lambda text: parse_date("expire_at", text)),
        "created_at": ("created_at", lambda text: parse_date("created_at", text)),
    }
    for column, (field, parse) in parsers.items():
        if cells[column]:
            try:
                row[field] = parse(cells[column])
            except ValueError as exc:
                errors.append(str(exc))
    for column, field in _TEXT_FIELDS.items():
        if cells[column]:
            row[field] = cells[column]
    pricing = pricing_from_type(row.get("contract_type", ""))
    if pricing is not None:
        row["pricing_model"] = pricing.value
    if "contract_status" in row:
        status = status_read(row["contract_status"])
        if status is None:
            errors.append(status_refusal(row["contract_status"]))
        else:
            row["contract_status"] = status.value
    return row, errors


def parse_contracts(text: str) -> list[ContractRow]:
    """Every row of the file, or InvalidRows naming each bad one.

    Rows are numbered like the lines of a spreadsheet: the header is line 1.
    Blank lines are skipped but still counted.
    """
    separator = csv_separator(text)
    separator_name = "semicolon" if separator == ";" else "comma"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[ContractRow] = []
    bad_rows: list[dict] = []
    first_line_of: dict[str, int] = {}
    header: list[str] | None = None
    try:
        for line, cells in enumerate(reader, start=1):
            if header is None:
                header = parse_header(cells)
                continue
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()
            if len(cells) != len(header):
                bad_rows.append(
                    {
                        "row": line,
                        "errors": [
                            f"The row has {len(cells)} cells but the header has "
                            f"{len(header)}. Check for a missing or extra "
                            f"{separator_name}."
                        ],
                    }
                )
                continue
            row, errors = parse_row(
                dict(zip(header, cells, strict=True)), decimal_comma=separator == ";"
            )
            product_url = row.get("product_url")
            if product_url in first_line_of:
                errors.append(
                    f"product_url {product_url} is already on line "
                    f"{first_line_of[product_url]}. Each product may appear once."
                )
            elif product_url:
                first_line_of[product_url] = line
            if errors:
                bad_rows.append({"row": line, "errors": errors})
            else:
                rows.append(row)
    except csv.Error:
        raise DomainError(
            f"The file could not be read as CSV near line {reader.line_num}. Save "
            "it as CSV UTF-8 and upload it again.",
            code=ErrorCode.INVALID_FILE,
        ) from None
    if bad_rows:
        raise InvalidRows(_bad_rows_message(bad_rows), rows=bad_rows)
    if not rows:
        raise DomainError(
            "The file has a header but no contracts. Add one contract per line "
            "below the header."
        )
    return rows


def _bad_rows_message(bad_rows: list[dict]) -> str:
    first = bad_rows[0]
    if len(bad_rows) == 1:
        return (
            f"1 row is not valid, so nothing was imported. Line {first['row']}: "
            f"{first['errors'][0]}"
        )
    lines = ", ".join(str(row["row"]) for row in bad_rows[:10])
    if len(bad_rows) > 10:
        lines += f" and {len(bad_rows) - 10} more"
    return (
        f"{len(bad_rows)} rows are not valid (lines {lines}), so nothing was "
        f"imported. Line {first['row']}: {first['errors'][0]}"
    )
