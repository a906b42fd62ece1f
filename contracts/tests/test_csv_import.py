"""contracts.csv_import: the CSV file becomes contract rows, without a database."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.csv_import import (
    IMPORT_COLUMNS,
    parse_contracts,
    parse_date,
    parse_header,
    parse_row,
    parse_seats,
    parse_spend,
    read_text,
)
from procure_site.exceptions import DomainError, InvalidRows, PayloadTooLarge

HEADER = ",".join(IMPORT_COLUMNS)
HEADER_HINT = f"The first line must be the header {HEADER}."
SLACK = (
    "Slack,8000.50,subscription,active,invoice,https://App.Slack.com/x,25,"
    "Ada,2027-01-31,2026-02-01,Renews in January"
)


SLACK_CELLS = {"vendor_name": "Slack", "product_url": "https://app.slack.com"}


def cells(**values: str) -> dict[str, str]:
    """A row's cells by column: an empty cell for every column not given."""
    return {column: values.get(column, "") for column in IMPORT_COLUMNS}


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def midnight(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_it_reads_utf8_text_without_the_byte_order_mark():
    raw = "\ufeffvendor_name\nBücher\n".encode()

    assert read_text(io.BytesIO(raw), max_bytes=100) == "vendor_name\nBücher\n"


def test_it_reads_a_file_of_exactly_the_limit():
    assert read_text(io.BytesIO(b"x" * 10), max_bytes=10) == "x" * 10


def test_it_refuses_a_file_over_the_limit():
    with pytest.raises(PayloadTooLarge) as refusal:
        read_text(io.BytesIO(b"x" * 11), max_bytes=10)

    assert refusal.value.detail == (
        "The file is larger than the limit of 10 bytes (0.0 MiB). Split it into "
        "smaller files and import each one."
    )


def test_it_refuses_a_file_that_is_not_utf8():
    with pytest.raises(DomainError) as refusal:
        read_text(io.BytesIO("vendor_name\nBücher\n".encode("latin-1")), max_bytes=100)

    assert refusal.value.detail == (
        "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again."
    )


def test_it_refuses_an_empty_file():
    with pytest.raises(DomainError) as refusal:
        read_text(io.BytesIO(b" \n\n"), max_bytes=100)

    assert refusal.value.detail == f"The file is empty. {HEADER_HINT}"


def test_it_reads_the_header_in_any_order_case_and_padding():
    cells = [f" {column.upper()} " for column in reversed(IMPORT_COLUMNS)]

    assert parse_header([*cells, "", ""]) == list(reversed(IMPORT_COLUMNS))


def test_it_names_every_problem_of_the_header():
    header = [c for c in IMPORT_COLUMNS if c not in ("notes", "owner")]

    with pytest.raises(DomainError) as refusal:
        parse_header([*header, "vendor_name", "Cost (€)", "x" * 50])

    assert refusal.value.detail == (
        "The header is not valid. It lacks the columns owner, notes. It has "
        f'columns proCure does not know: "cost (€)", "{"x" * 40}…". It repeats '
        f"the columns vendor_name. {HEADER_HINT}"
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [("0", Decimal("0")), ("8000", Decimal("8000")), ("8000.50", Decimal("8000.50"))],
)
def test_it_reads_an_annual_spend(text, amount):
    assert parse_spend(text) == amount


@pytest.mark.parametrize("text", ["$8000", "-1", "NaN", "Infinity", "1e12", "8,000"])
def test_it_refuses_a_spend_that_is_not_an_amount(text):
    with pytest.raises(ValueError) as refusal:
        parse_spend(text)

    assert str(refusal.value) == (
        f'annual_spend "{text}" is not an amount. Write a number of 0 or more '
        "without a currency sign, such as 8000 or 8000.50."
    )


def test_it_refuses_a_spend_with_fractions_of_a_cent():
    with pytest.raises(ValueError) as refusal:
        parse_spend("10.005")

    assert str(refusal.value) == "annual_spend has more than 2 decimal places."


def test_it_reads_a_decimal_comma_only_where_semicolons_separate_the_cells():
    semicolon_row, errors = parse_row(
        cells(**SLACK_CELLS, annual_spend="8000,5"), decimal_comma=True
    )
    comma_row, comma_errors = parse_row(cells(**SLACK_CELLS, annual_spend="8000,5"))
    _, thousands_errors = parse_row(
        cells(**SLACK_CELLS, annual_spend="8.000,50"), decimal_comma=True
    )

    assert (semicolon_row["annual_spend"], errors) == (Decimal("8000.5"), [])
    assert "annual_spend" not in comma_row
    assert comma_errors[0].startswith('annual_spend "8000,5" is not an amount.')
    assert thousands_errors[0].startswith('annual_spend "8.000,50" is not an amount.')


def test_it_reads_a_number_of_seats():
    assert parse_seats("0") == 0
    assert parse_seats("2147483647") == 2_147_483_647


@pytest.mark.parametrize("text", ["-1", "2.5", "ten", "2147483648"])
def test_it_refuses_seats_that_are_not_a_whole_number(text):
    with pytest.raises(ValueError) as refusal:
        parse_seats(text)

    assert str(refusal.value) == (
        f'number_of_seats "{text}" is not a whole number of 0 or more.'
    )


def test_it_reads_a_date_as_midnight_utc():
    assert parse_date("expire_at", "2027-01-31") == midnight("2027-01-31")


@pytest.mark.parametrize("text", ["31/01/2027", "2027-02-30", "2027-1-31", "20270131"])
def test_it_refuses_a_date_not_written_yyyy_mm_dd(text):
    with pytest.raises(ValueError) as refusal:
        parse_date("created_at", text)

    assert str(refusal.value) == (
        f'created_at "{text}" is not a date written YYYY-MM-DD, such as 2026-10-01.'
    )


def test_it_reads_every_field_of_a_row():
    row, errors = parse_row(
        cells(
            vendor_name="Slack",
            annual_spend="8000.50",
            contract_type="subscription",
            contract_status="active",
            payment_type="invoice",
            product_url="HTTPS://App.Slack.com:443/path?x",
            number_of_seats="25",
            owner="Ada",
            expire_at="2027-01-31",
            created_at="2026-02-01",
            notes="Renews in January",
        )
    )

    assert errors == []
    assert row == {
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "vendor_domain": "slack.com",
        "annual_spend": Decimal("8000.50"),
        "num_seats": 25,
        "contract_type": "subscription",
        "contract_status": "active",
        "payment_type": "invoice",
        "owner_name": "Ada",
        "notes": "Renews in January",
        "expire_at": midnight("2027-01-31"),
        "created_at": midnight("2026-02-01"),
    }


def test_it_computes_the_vendor_domain_by_the_public_suffix_list():
    row, errors = parse_row(
        cells(vendor_name="AWS", product_url="console.aws.amazon.co.uk")
    )

    assert errors == []
    assert row == {
        "vendor_name": "AWS",
        "product_url": "https://console.aws.amazon.co.uk",
        "vendor_domain": "amazon.co.uk",
    }


def test_it_leaves_out_empty_optional_cells():
    row, errors = parse_row(cells(vendor_name="Zoom", product_url="zoom.us"))

    assert errors == []
    assert set(row) == {"vendor_name", "product_url", "vendor_domain"}


def test_it_lists_every_problem_of_a_row():
    row, errors = parse_row(
        cells(
            owner="o" * 201,
            annual_spend="$5",
            number_of_seats="many",
            expire_at="soon",
            created_at="2026-13-01",
        )
    )

    assert errors == [
        "vendor_name is required.",
        "product_url is required.",
        "owner is longer than 200 characters.",
        'annual_spend "$5" is not an amount. Write a number of 0 or more without '
        "a currency sign, such as 8000 or 8000.50.",
        'number_of_seats "many" is not a whole number of 0 or more.',
        'expire_at "soon" is not a date written YYYY-MM-DD, such as 2026-10-01.',
        'created_at "2026-13-01" is not a date written YYYY-MM-DD, such as 2026-10-01.',
    ]
    assert "product_url" not in row


def test_it_refuses_a_product_url_that_is_not_a_web_address():
    row, errors = parse_row(cells(vendor_name="Slack", product_url="ftp://slack.com"))

    assert errors == [
        'The product URL "ftp://slack.com" is not a web address. Use one such as '
        "https://app.slack.com."
    ]
    assert "vendor_domain" not in row


def test_it_parses_a_file_into_rows():
    text = csv_of(SLACK, "Zoom,,,,,zoom.us,,,,,")

    rows = parse_contracts(text)

    assert [row["product_url"] for row in rows] == [
        "https://app.slack.com",
        "https://zoom.us",
    ]
    assert rows[0]["annual_spend"] == Decimal("8000.50")
    assert rows[1] == {
        "vendor_name": "Zoom",
        "product_url": "https://zoom.us",
        "vendor_domain": "zoom.us",
    }


def test_it_skips_blank_lines_and_trailing_empty_cells():
    rows = parse_contracts(csv_of("", " , ,", "Zoom,,,,,zoom.us,,,,,,,,"))

    assert [row["vendor_name"] for row in rows] == ["Zoom"]


def test_it_numbers_bad_rows_like_spreadsheet_lines():
    text = csv_of(SLACK, "", "Zoom,,,,,zoom.us")

    with pytest.raises(InvalidRows) as refusal:
        parse_contracts(text)

    assert refusal.value.rows == [
        {
            "row": 4,
            "errors": [
                "The row has 6 cells but the header has 11. Check for a missing "
                "or extra comma."
            ],
        }
    ]
    assert refusal.value.detail == (
        "1 row is not valid, so nothing was imported. Line 4: The row has 6 "
        "cells but the header has 11. Check for a missing or extra comma."
    )


def test_it_refuses_a_product_twice_in_one_file():
    text = csv_of(SLACK, SLACK.replace("https://App.Slack.com/x", "app.slack.com"))

    with pytest.raises(InvalidRows) as refusal:
        parse_contracts(text)

    assert refusal.value.rows == [
        {
            "row": 3,
            "errors": [
                "product_url https://app.slack.com is already on line 2. Each "
                "product may appear once."
            ],
        }
    ]


def test_it_names_the_first_ten_bad_lines_and_counts_the_rest():
    text = csv_of(*(f"Vendor {n},,,,,," for n in range(12)))

    with pytest.raises(InvalidRows) as refusal:
        parse_contracts(text)

    assert [row["row"] for row in refusal.value.rows] == list(range(2, 14))
    assert refusal.value.detail == (
        "12 rows are not valid (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more), "
        "so nothing was imported. Line 2: The row has 7 cells but the header has "
        "11. Check for a missing or extra comma."
    )


def test_it_refuses_a_header_without_rows():
    with pytest.raises(DomainError) as refusal:
        parse_contracts(csv_of("", ""))

    assert refusal.value.detail == (
        "The file has a header but no contracts. Add one contract per line below "
        "the header."
    )


def test_it_refuses_a_cell_too_long_for_the_csv_reader():
    with pytest.raises(DomainError) as refusal:
        parse_contracts(csv_of(SLACK, "Slack," + "x" * 131_073))

    assert refusal.value.detail == (
        "The file could not be read as CSV near line 3. Save it as CSV UTF-8 and "
        "upload it again."
    )
