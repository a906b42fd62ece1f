"""POST /api/v1/contracts/import: a CSV upload of contracts, all rows or none."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditAction, AuditEvent
from contracts.csv_import import IMPORT_COLUMNS
from contracts.models import Contract
from contracts.tests.factories import ContractFactory

URL = "/api/v1/contracts/import"
SAMPLE = Path(__file__).parents[1] / "sample_data" / "sample_contracts.csv"
HEADER = ",".join(IMPORT_COLUMNS)


def upload(client, content: bytes | str, name: str = "contracts.csv"):
    if isinstance(content, str):
        content = content.encode()
    csv_file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(URL, {"file": csv_file}, format="multipart")


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def generated_csv(count: int, start: int = 0) -> str:
    return csv_of(
        *(
            f"Vendor {n},{100 * n},subscription,active,invoice,"
            f"https://app.vendor{n}.com,{n},Owner {n},2027-01-{1 + n % 28:02d},"
            f"2026-01-01,Row {n}"
            for n in range(start, start + count)
        )
    )


def test_it_imports_a_semicolon_separated_file_as_excel_writes_it(
    admin_client, organization
):
    # Excel in locales whose decimal mark is a comma: semicolons between the
    # cells, a comma in the amount, a byte order mark, CRLF line ends.
    header = ";".join(IMPORT_COLUMNS)
    row = (
        "Slack;8000,50;subscription;active;invoice;https://app.slack.com;25;Ada;"
        "2027-01-31;2026-02-01;Renews in January; before the 15th"
    )
    content = "\ufeff" + header + "\r\n" + row.replace("; before", ", before") + "\r\n"

    response = upload(admin_client, content.encode())

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    contract = Contract.objects.get(organization=organization)
    assert (contract.vendor_name, contract.annual_spend, contract.num_seats) == (
        "Slack",
        Decimal("8000.50"),
        25,
    )
    assert contract.notes == "Renews in January, before the 15th"


def test_it_names_the_semicolon_when_a_row_has_too_few_cells(admin_client, db):
    header = ";".join(IMPORT_COLUMNS)

    response = upload(admin_client, header + "\nSlack;100;subscription\n")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "1 row is not valid, so nothing was imported. Line 2: The row has 3 cells "
        "but the header has 11. Check for a missing or extra semicolon."
    )
    assert not Contract.objects.exists()


def test_it_imports_the_sample_file(admin_client, organization):
    version = organization.contracts_version

    response = upload(admin_client, SAMPLE.read_bytes())

    assert response.status_code == 200
    assert response.json() == {"created": 10, "updated": 0, "unchanged": 0}
    contracts = Contract.objects.filter(organization=organization)
    assert contracts.count() == 10
    assert set(contracts.values_list("vendor_name", flat=True)) == {
        "Slack",
        "Zoom",
        "Notion",
        "Figma",
        "GitHub",
        "Atlassian Jira",
        "Salesforce",
        "AWS",
        "Google Workspace",
        "HubSpot",
    }
    slack = contracts.get(vendor_name="Slack")
    assert slack.product_url == "https://app.slack.com"
    assert slack.vendor_domain == "slack.com"
    assert slack.annual_spend == Decimal("8000")
    assert slack.num_seats == 75
    assert slack.contract_type == "subscription"
    assert slack.contract_status == "active"
    assert slack.payment_type == "virtual cards"
    assert slack.owner_name == "Jane Cooper"
    assert slack.owner is None
    assert slack.expire_at == datetime(2027, 10, 1, tzinfo=UTC)
    assert slack.created_at == datetime(2025, 10, 1, tzinfo=UTC)
    assert contracts.get(vendor_name="AWS").vendor_domain == "amazon.com"
    assert contracts.get(vendor_name="Zoom").notes == "Pro plan, 40 licensed hosts"
    organization.refresh_from_db()
    assert organization.contracts_version == version + 1


def test_it_reports_rows_that_change_nothing_as_unchanged(admin_client, organization):
    upload(admin_client, SAMPLE.read_bytes())
    before = {c.pk: c.updated_at for c in Contract.objects.all()}

    response = upload(admin_client, SAMPLE.read_bytes())

    assert response.status_code == 200
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 10}
    assert {c.pk: c.updated_at for c in Contract.objects.all()} == before


def test_it_updates_only_the_rows_that_change(admin_client, organization):
    upload(admin_client, generated_csv(3))
    changed = generated_csv(3).replace("Vendor 1,100,", "Vendor 1,150,")

    response = upload(admin_client, changed)

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 2}
    assert Contract.objects.get(vendor_name="Vendor 1").annual_spend == 150


def test_it_keeps_a_contracts_value_where_the_row_leaves_the_cell_blank(
    admin_client, organization
):
    upload(
        admin_client,
        csv_of("Slack,8000,subscription,active,invoice,app.slack.com,25,Ada,,,Keep"),
    )

    response = upload(admin_client, csv_of("Slack,9000,,,,app.slack.com,,,,,"))

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    contract = Contract.objects.get()
    assert (contract.annual_spend, contract.num_seats, contract.owner_name) == (
        9000,
        25,
        "Ada",
    )
    assert (contract.contract_type, contract.payment_type, contract.notes) == (
        "subscription",
        "invoice",
        "Keep",
    )


def test_it_matches_existing_contracts_by_normalized_product_url(
    admin_client, organization
):
    existing = ContractFactory(
        organization=organization,
        host="app.slack.com",
        vendor_name="Old Slack",
        notes="Keep me",
        extra_hosts=["slack-edge.com"],
    )
    content = csv_of(
        "Slack,9000,subscription,active,,HTTPS://App.Slack.com/client,80,,,,",
        "Zoom,6000,,,,zoom.us,40,,,,",
    )

    response = upload(admin_client, content)

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    existing.refresh_from_db()
    assert existing.vendor_name == "Slack"
    assert existing.annual_spend == Decimal("9000")
    assert existing.num_seats == 80
    # Empty cells keep what the contract had.
    assert existing.notes == "Keep me"
    assert existing.payment_type == "credit card"
    assert existing.extra_hosts == ["slack-edge.com"]
    zoom = Contract.objects.get(product_url="https://zoom.us")
    # ... and give a new contract the defaults.
    assert zoom.contract_status == "active"
    assert zoom.expire_at is None
    assert zoom.created_at is not None


def test_it_imports_nothing_when_one_row_is_bad(admin_client, organization):
    content = SAMPLE.read_text().replace("Figma,10800,", "Figma,ten thousand,", 1)

    response = upload(admin_client, content)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("1 row is not valid, so nothing was imported.")
    assert "Line 5" in body["detail"]
    assert body["rows"] == [
        {
            "row": 5,
            "errors": [
                'annual_spend "ten thousand" is not an amount. Write a number of 0 '
                "or more without a currency sign, such as 8000 or 8000.50."
            ],
        }
    ]
    assert not Contract.objects.exists()


def test_it_refuses_a_row_whose_host_is_a_public_suffix(admin_client, organization):
    content = SAMPLE.read_text().replace("https://www.figma.com", "https://co.uk", 1)
    assert "https://co.uk" in content

    response = upload(admin_client, content)

    assert response.status_code == 400
    errors = response.json()["rows"][0]["errors"]
    assert errors == [
        'The host of the product URL "https://co.uk" is co.uk, a public suffix '
        "under which anyone can register sites: a contract on it would record "
        "visits to all of them. Use the vendor's own host, such as app.slack.com."
    ]
    assert not Contract.objects.exists()


def test_it_names_every_bad_row(admin_client, organization):
    content = csv_of(
        "Slack,8000,subscription,active,,https://app.slack.com,75,,2027-10-01,,",
        ",-5,,,,not a url,many,,2027-13-01,01/02/2026,",
        "Zoom,6000,,,,zoom.us,40,,,,",
        "Notion,6000,,,,notion.so,50,,,,,extra",
        "Zoom again,1,,,,https://ZOOM.us/j/1,1,,,,",
        "Figma,1.234,,,,figma.com,3,,,,",
    )

    response = upload(admin_client, content)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith(
        "4 rows are not valid (lines 3, 5, 6, 7), so nothing was imported."
    )
    rows = {row["row"]: row["errors"] for row in body["rows"]}
    assert list(rows) == [3, 5, 6, 7]
    assert rows[3] == [
        "vendor_name is required.",
        'The product URL "not a url" is not a web address. Use one such as '
        "https://app.slack.com.",
        'annual_spend "-5" is not an amount. Write a number of 0 or more without '
        "a currency sign, such as 8000 or 8000.50.",
        'number_of_seats "many" is not a whole number of 0 or more.',
        'expire_at "2027-13-01" is not a date written YYYY-MM-DD, such as 2026-10-01.',
        'created_at "01/02/2026" is not a date written YYYY-MM-DD, such as 2026-10-01.',
    ]
    assert rows[5] == [
        "The row has 12 cells but the header has 11. Check for a missing or "
        "extra comma."
    ]
    assert rows[6] == [
        "product_url https://zoom.us is already on line 4. Each product may "
        "appear once."
    ]
    assert rows[7] == ["annual_spend has more than 2 decimal places."]
    assert not Contract.objects.exists()


def test_it_accepts_a_byte_order_mark_and_windows_line_ends(admin_client):
    content = "\ufeff" + csv_of("Zoom,6000,,,,zoom.us,40,,,,").replace("\n", "\r\n")

    response = upload(admin_client, content.encode("utf-8"))

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}


def test_it_skips_blank_lines_and_padding_cells(admin_client):
    content = HEADER + ",,\n\nZoom,6000,,,,zoom.us,40,,,,,,\n\n"

    response = upload(admin_client, content)

    assert response.status_code == 200
    assert Contract.objects.get().product_url == "https://zoom.us"


def test_it_refuses_a_file_that_is_not_utf8(admin_client):
    content = csv_of("Zoom,6000,,,,zoom.us,40,Jürgen,,,").encode("latin-1")

    response = upload(admin_client, content)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it "
        "again.",
        "code": "invalid_file",
    }
    assert not Contract.objects.exists()


def test_it_refuses_a_file_with_a_nul_character(admin_client):
    content = csv_of("Zo\x00om,6000,,,,zoom.us,40,,,,").encode()

    response = upload(admin_client, content)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "The file contains NUL characters, so it is not a CSV file."
    )
    assert not Contract.objects.exists()


def test_it_refuses_a_header_with_missing_columns(admin_client):
    header = HEADER.replace(",owner", "").replace(",notes", "")

    response = upload(admin_client, header + "\nZoom,6000,,,,zoom.us,40,,\n")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(
        "The header is not valid. It lacks the columns owner, notes."
    )
    assert HEADER in detail
    assert not Contract.objects.exists()


def test_it_refuses_a_header_with_unknown_columns(admin_client):
    response = upload(admin_client, HEADER + ",discount\n")

    assert response.status_code == 400
    assert (
        'It has columns proCure does not know: "discount".'
        in (response.json()["detail"])
    )


def test_it_refuses_an_empty_file(admin_client):
    response = upload(admin_client, b"")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The file is empty. Upload a CSV file with a header line."
    )


def test_it_refuses_a_file_of_blank_lines(admin_client):
    response = upload(admin_client, b"\n\n  \n")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The file is empty.")


def test_it_refuses_a_file_with_only_a_header(admin_client):
    response = upload(admin_client, HEADER + "\n")

    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "The file has a header but no contracts."
    )


def test_it_refuses_a_file_over_the_size_limit(admin_client, settings):
    settings.CONTRACT_IMPORT_MAX_BYTES = 500

    response = upload(admin_client, generated_csv(10))

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is larger than the limit of 500 bytes (0.0 MiB). Split "
        "it into smaller files and import each one.",
        "code": "payload_too_large",
    }
    assert not Contract.objects.exists()


def test_it_refuses_a_request_without_a_file(admin_client):
    response = admin_client.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Attach the CSV file in a form field named file."
    )


def test_it_refuses_members(member_client):
    response = upload(member_client, SAMPLE.read_bytes())

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only admins of the organization can do this.",
        "code": "admins_only",
    }
    assert not Contract.objects.exists()


def test_it_imports_an_outsiders_file_into_their_own_organization(
    outsider_client, organization, other_organization
):
    response = upload(outsider_client, SAMPLE.read_bytes())

    assert response.status_code == 200
    assert not Contract.objects.filter(organization=organization).exists()
    assert Contract.objects.filter(organization=other_organization).count() == 10


def test_it_requires_authentication(anon_client, organization):
    response = upload(anon_client, SAMPLE.read_bytes())

    assert response.status_code == 401
    assert not Contract.objects.exists()


def test_it_creates_in_a_constant_number_of_queries(
    admin_client, organization, django_assert_max_num_queries
):
    # Six for the import, one for the organization (its reporting currency
    # is the new contracts'), one for its audit event.
    with django_assert_max_num_queries(8) as ten_rows:
        response = upload(admin_client, generated_csv(10))
        assert response.json() == {"created": 10, "updated": 0, "unchanged": 0}
    # 40 rows: within one INSERT on SQLite, whose 999 parameters take 49
    # rows of a contract's 20 columns.
    with django_assert_max_num_queries(8) as forty_rows:
        response = upload(admin_client, generated_csv(40, start=100))
        assert response.json() == {"created": 40, "updated": 0, "unchanged": 0}

    assert len(ten_rows) == len(forty_rows)
    assert Contract.objects.count() == 50


def test_it_updates_in_a_constant_number_of_queries(
    admin_client, organization, django_assert_max_num_queries
):
    upload(admin_client, generated_csv(50))

    def changed(count: int, notes: str) -> str:
        return generated_csv(count).replace(",Row ", f",{notes} ")

    with django_assert_max_num_queries(7) as ten_rows:
        response = upload(admin_client, changed(10, "Changed row"))
        assert response.json() == {"created": 0, "updated": 10, "unchanged": 0}
    with django_assert_max_num_queries(7) as fifty_rows:
        response = upload(admin_client, changed(50, "Changed again"))
        assert response.json() == {"created": 0, "updated": 50, "unchanged": 0}

    assert len(ten_rows) == len(fifty_rows)
    assert Contract.objects.count() == 50


def test_it_audits_one_event_with_the_counts(admin_client, admin_user, organization):
    ContractFactory(organization=organization, host="app.vendor0.com")

    response = upload(admin_client, generated_csv(3))

    assert response.json() == {"created": 2, "updated": 1, "unchanged": 0}
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CONTRACTS_IMPORTED
    assert (event.organization, event.actor) == (organization, admin_user)
    assert event.target == f"organization:{organization.public_id}"
    assert event.details == {"created": 2, "updated": 1, "unchanged": 0}


def test_it_audits_nothing_when_the_file_is_refused(admin_client, member_client):
    assert upload(admin_client, csv_of("Slack,x")).status_code == 400
    assert upload(member_client, generated_csv(1)).status_code == 403
    assert not AuditEvent.objects.exists()
