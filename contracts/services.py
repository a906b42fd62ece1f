"""Writes to contracts: create, update, upsert, delete and CSV import.

Every path normalizes product URLs with contracts/hosts.py and keeps one
contract per (organization, product URL). Saves and deletes bump the
organization's contracts_version through contracts/signals.py; the import's
bulk writes skip signals and bump it themselves. Each change appends an event
to the audit trail in the transaction that makes it.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypedDict
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import ADMINS_ONLY
from accounts.models import Organization, User
from audit.models import AuditAction
from audit.services import audit_record
from contracts.hosts import (
    InvalidHost,
    normalize_host,
    normalize_product_url,
    registrable_domain,
)
from contracts.models import Contract
from contracts.signals import organization_contracts_changed
from procure_site.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidRows,
    PayloadTooLarge,
)

URL_EXAMPLE = "https://app.slack.com"


class ContractData(TypedDict, total=False):
    """Validated input for a contract; a missing key means "leave as is"."""

    vendor_name: str
    product_url: str
    extra_hosts: list[str]
    annual_spend: Decimal
    num_seats: int
    contract_type: str
    contract_status: str
    payment_type: str
    owner_id: UUID | None
    owner_name: str
    notes: str
    created_at: datetime | None
    expire_at: datetime | None


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _bad_url_message(url: str) -> str:
    return (
        f'The product URL "{_shorten(url)}" is not a web address. '
        f"Use one such as {URL_EXAMPLE}."
    )


def _already_exists_message(product_url: str) -> str:
    return (
        f"A contract for {product_url} already exists in your organization. "
        "Edit that contract instead."
    )


def contract_product_url(*, url: str) -> tuple[str, str]:
    """The normalized product URL and its vendor domain.

    `HTTPS://App.Slack.com:443/path?x` → (`https://app.slack.com`, `slack.com`).
    Raises DomainError with a sentence for anything that is not a web address.
    """
    try:
        product_url = normalize_product_url(url)
    except InvalidHost:
        raise DomainError(_bad_url_message(url)) from None
    return product_url, registrable_domain(product_url.removeprefix("https://"))


def _extra_hosts(hosts: list[str]) -> list[str]:
    cleaned: list[str] = []
    for host in hosts:
        try:
            normalized = normalize_host(host)
        except InvalidHost:
            raise DomainError(
                f'The extra host "{_shorten(host)}" is not a host name. '
                "Use one such as force.com."
            ) from None
        if normalized not in cleaned:
            cleaned.append(normalized)
    return cleaned


def _owner_id(*, organization: Organization, user_id: UUID) -> UUID:
    if not User.objects.filter(pk=user_id, organization=organization).exists():
        raise DomainError(
            f"No user with the id {user_id} belongs to your organization, so "
            "they cannot own this contract."
        )
    return user_id


def _contract_values(
    *, organization: Organization, data: ContractData
) -> dict[str, Any]:
    """Model field values from validated input: hosts normalized, owner checked."""
    values: dict[str, Any] = dict(data)
    if "product_url" in values:
        values["product_url"], values["vendor_domain"] = contract_product_url(
            url=values["product_url"]
        )
    if "extra_hosts" in values:
        values["extra_hosts"] = _extra_hosts(values["extra_hosts"])
    if values.get("owner_id") is not None:
        values["owner_id"] = _owner_id(
            organization=organization, user_id=values["owner_id"]
        )
    return values


def _contract_audit(
    *,
    action: AuditAction,
    organization: Organization,
    contract: Contract,
    contract_id: int,
    actor: User | None,
    fields: list[str] | None = None,
) -> None:
    """Records a change to one contract; `fields` names the fields the caller
    set, never their values."""
    details: dict[str, Any] = {
        "contract_id": contract_id,
        "vendor_name": contract.vendor_name,
        "product_url": contract.product_url,
    }
    if fields is not None:
        details["fields"] = sorted(fields)
    audit_record(
        action=action,
        organization=organization,
        actor=actor,
        target=f"contract:{contract_id}",
        details=details,
    )


def contract_save(*, contract: Contract, actor: User | None, fields: list[str]) -> None:
    """Saves a new or changed contract and audits it; 409 when its product URL
    is taken. `fields` names what the caller set. The Django admin saves
    through here too, so its edits are audited like the API's."""
    created = contract.pk is None
    duplicate = (
        Contract.objects.for_organization(contract.organization)
        .filter(product_url=contract.product_url)
        .exclude(pk=contract.pk)
    )
    if duplicate.exists():
        raise Conflict(_already_exists_message(contract.product_url))
    try:
        with transaction.atomic():
            contract.save()
            _contract_audit(
                action=AuditAction.CONTRACT_CREATED
                if created
                else AuditAction.CONTRACT_UPDATED,
                organization=contract.organization,
                contract=contract,
                contract_id=contract.pk,
                actor=actor,
                fields=fields,
            )
    except IntegrityError:
        # Another request saved the same product URL after the check above.
        raise Conflict(_already_exists_message(contract.product_url)) from None


def contract_create(
    *, organization: Organization, data: ContractData, actor: User | None
) -> Contract:
    """A new contract of the organization; 409 when its product URL is taken.

    A contract created without a start date starts now.
    """
    values = _contract_values(organization=organization, data=data)
    contract = Contract(organization=organization, **values)
    if contract.created_at is None:
        contract.created_at = timezone.now()
    contract_save(contract=contract, actor=actor, fields=list(data))
    return contract


def contract_update(
    *, contract: Contract, data: ContractData, actor: User | None
) -> Contract:
    """Changes the given fields; 409 when the new product URL is taken."""
    values = _contract_values(organization=contract.organization, data=data)
    for field, value in values.items():
        setattr(contract, field, value)
    contract_save(contract=contract, actor=actor, fields=list(data))
    return contract


def contract_delete(*, contract: Contract, actor: User | None) -> None:
    """Deletes the contract and, with it, the activity recorded against it."""
    contract_id = contract.pk
    with transaction.atomic():
        # Locked first, so that an ingestion batch inserting activity on this
        # contract either finishes before the delete starts (and its rows are
        # deleted too) or waits and skips them (url_visits.services).
        Contract.objects.select_for_update().filter(pk=contract_id).exists()
        contract.delete()
        _contract_audit(
            action=AuditAction.CONTRACT_DELETED,
            organization=contract.organization,
            contract=contract,
            contract_id=contract_id,
            actor=actor,
        )


def contract_upsert(
    *, user: User, organization_public_id: str, data: ContractData
) -> tuple[Contract, bool]:
    """Creates or updates the contract of (organization, normalized product URL).

    Fields missing from `data` keep their value on update. Only an admin of
    the organization named by `organization_public_id` may do this; any other
    id, including one that does not exist, is refused with 403 so that the
    answer does not tell which ids exist. `user` is recorded as the actor.
    """
    organization = user.organization
    if organization is None or organization.public_id != organization_public_id:
        raise Forbidden("You can only add contracts to your own organization.")
    if not user.is_org_admin:
        raise Forbidden(ADMINS_ONLY)
    values = _contract_values(organization=organization, data=data)
    if values.get("created_at") is None:
        values.pop("created_at", None)
    product_url = values.pop("product_url")
    with transaction.atomic():
        contract, created = Contract.objects.update_or_create(
            organization=organization,
            product_url=product_url,
            defaults=values,
            create_defaults={"created_at": timezone.now(), **values},
        )
        _contract_audit(
            action=AuditAction.CONTRACT_CREATED
            if created
            else AuditAction.CONTRACT_UPDATED,
            organization=organization,
            contract=contract,
            contract_id=contract.pk,
            actor=user,
            fields=list(data),
        )
    return contract, created


# CSV import.

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
# Every field a row may set on an existing contract. Its product URL, and so
# its vendor domain, is what the row was matched by and never changes.
_IMPORT_UPDATE_FIELDS = [
    "vendor_name",
    "annual_spend",
    "contract_type",
    "contract_status",
    "payment_type",
    "num_seats",
    "owner_name",
    "notes",
    "created_at",
    "expire_at",
    "updated_at",
]
_TEXT_LIMITS = {
    "vendor_name": 200,
    "contract_type": 100,
    "contract_status": 100,
    "payment_type": 100,
    "owner": 200,
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"\d+")
_MAX_SPEND = Decimal("1e12")
_MAX_SEATS = 2_147_483_647


@dataclass(frozen=True)
class ContractImportResult:
    created: int
    updated: int

    @property
    def imported(self) -> int:
        return self.created + self.updated


def _import_text(csv_file: IO[bytes]) -> str:
    limit = settings.CONTRACT_IMPORT_MAX_BYTES
    raw = csv_file.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(
            f"The file is larger than the limit of {limit} bytes "
            f"({limit / 1_048_576:.1f} MiB). Split it into smaller files and "
            "import each one."
        )
    try:
        # utf-8-sig drops the byte order mark that spreadsheet programs add.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again."
        ) from None
    if not text.strip():
        raise DomainError(f"The file is empty. {_HEADER_HINT}")
    return text


def _import_header(cells: list[str]) -> list[str]:
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
            + ", ".join(f'"{_shorten(column, 40)}"' for column in unknown)
            + "."
        )
    if duplicated:
        problems.append("It repeats the columns " + ", ".join(duplicated) + ".")
    if problems:
        raise DomainError(
            " ".join(["The header is not valid.", *problems, _HEADER_HINT])
        )
    return header


def _parse_spend(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= _MAX_SPEND:
        raise ValueError(
            f'annual_spend "{_shorten(text, 40)}" is not an amount. Write a number '
            "of 0 or more without a currency sign, such as 8000 or 8000.50."
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("annual_spend has more than 2 decimal places.")
    return value


def _parse_seats(text: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text) or int(text) > _MAX_SEATS:
        raise ValueError(
            f'number_of_seats "{_shorten(text, 40)}" is not a whole number of 0 '
            "or more."
        )
    return int(text)


def _parse_date(column: str, text: str) -> datetime:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f'{column} "{_shorten(text, 40)}" is not a date written YYYY-MM-DD, '
            "such as 2026-10-01."
        ) from None
    return datetime.combine(day, time.min, tzinfo=UTC)


def _import_row(cells: dict[str, str]) -> tuple[ContractData, list[str]]:
    """The contract a CSV row describes, and what is wrong with the row.

    An empty optional cell is left out, so that it keeps the contract's value
    (or the default for a new contract).
    """
    data: ContractData = {}
    errors: list[str] = []
    for column in ("vendor_name", "product_url"):
        if not cells[column]:
            errors.append(f"{column} is required.")
    for column, limit in _TEXT_LIMITS.items():
        if len(cells[column]) > limit:
            errors.append(f"{column} is longer than {limit} characters.")
    if cells["product_url"]:
        try:
            data["product_url"], _ = contract_product_url(url=cells["product_url"])
        except DomainError as exc:
            errors.append(exc.detail)
    parsers = {
        "annual_spend": ("annual_spend", _parse_spend),
        "number_of_seats": ("num_seats", _parse_seats),
        "expire_at": ("expire_at", lambda text: _parse_date("expire_at", text)),
        "created_at": ("created_at", lambda text: _parse_date("created_at", text)),
    }
    for column, (field, parse) in parsers.items():
        if cells[column]:
            try:
                data[field] = parse(cells[column])
            except ValueError as exc:
                errors.append(str(exc))
    texts = {
        "vendor_name": "vendor_name",
        "contract_type": "contract_type",
        "contract_status": "contract_status",
        "payment_type": "payment_type",
        "owner": "owner_name",
        "notes": "notes",
    }
    for column, field in texts.items():
        if cells[column]:
            data[field] = cells[column]
    return data, errors


def _import_rows(text: str) -> list[ContractData]:
    """Every row of the file as contract data, or InvalidRows naming each bad one.

    Rows are numbered like the lines of a spreadsheet: the header is line 1.
    Blank lines are skipped but still counted.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[ContractData] = []
    bad_rows: list[dict] = []
    first_line_of: dict[str, int] = {}
    header: list[str] | None = None
    try:
        for line, cells in enumerate(reader, start=1):
            if header is None:
                header = _import_header(cells)
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
                            f"{len(header)}. Check for a missing or extra comma."
                        ],
                    }
                )
                continue
            data, errors = _import_row(dict(zip(header, cells, strict=True)))
            product_url = data.get("product_url")
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
                rows.append(data)
    except csv.Error:
        raise DomainError(
            f"The file could not be read as CSV near line {reader.line_num}. Save "
            "it as CSV UTF-8 and upload it again."
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


def contract_import(
    *, organization: Organization, csv_file: IO[bytes], actor: User | None = None
) -> ContractImportResult:
    """Creates or updates the organization's contracts from a CSV file.

    The file is in the web app's format (IMPORT_COLUMNS, dates YYYY-MM-DD) and
    matched to existing contracts by normalized product URL. All rows or none:
    any bad row raises InvalidRows naming every bad row, and nothing is
    written. The writes take a constant number of queries whatever the size of
    the file (up to the database's batch size). One audit event records the
    counts, with `actor` None for the system (management commands).
    """
    rows = _import_rows(_import_text(csv_file))
    existing = {
        contract.product_url: contract
        for contract in Contract.objects.for_organization(organization)
    }
    now = timezone.now()
    to_create: list[Contract] = []
    to_update: list[Contract] = []
    for data in rows:
        contract = existing.get(data["product_url"])
        if contract is None:
            product_host = data["product_url"].removeprefix("https://")
            to_create.append(
                Contract(
                    organization=organization,
                    vendor_domain=registrable_domain(product_host),
                    **{"created_at": now, **data},
                )
            )
            continue
        for field, value in data.items():
            setattr(contract, field, value)
        # bulk_update does not apply auto_now.
        contract.updated_at = now
        to_update.append(contract)
    try:
        with transaction.atomic():
            Contract.objects.bulk_create(to_create)
            Contract.objects.bulk_update(to_update, fields=_IMPORT_UPDATE_FIELDS)
            organization_contracts_changed(organization_id=organization.id)
            audit_record(
                action=AuditAction.CONTRACTS_IMPORTED,
                organization=organization,
                actor=actor,
                target=f"organization:{organization.public_id}",
                details={"created": len(to_create), "updated": len(to_update)},
            )
    except IntegrityError:
        # Another request created one of these product URLs meanwhile.
        raise Conflict(
            "The organization's contracts changed while the file was being "
            "imported. Upload it again."
        ) from None
    return ContractImportResult(created=len(to_create), updated=len(to_update))
