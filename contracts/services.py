"""Writes to contracts: create, update, upsert, delete and CSV import.

Every path normalizes product URLs with contracts/hosts.py and keeps one
contract per (organization, product URL). Saves and deletes bump the
organization's contracts_version through contracts/signals.py; the import's
bulk writes skip signals and bump it themselves. Each change appends an event
to the audit trail in the transaction that makes it.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import IO, Any, TypedDict
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from audit.models import AuditAction
from audit.services import audit_record
from contracts import csv_import
from contracts.hosts import (
    InvalidHost,
    contract_product_url,
    is_public_suffix,
    normalize_host,
    public_suffix_refusal,
    shorten,
)
from contracts.models import Contract
from contracts.signals import organization_contracts_changed
from contracts.terms import pricing_from_type
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, Forbidden


class ContractData(TypedDict, total=False):
    """Validated input for a contract; a missing key means "leave as is"."""

    vendor_name: str
    product_url: str
    extra_hosts: list[str]
    annual_spend: Decimal
    num_seats: int
    currency: str
    contract_type: str
    contract_status: str
    pricing_model: str
    auto_renew: bool
    notice_period_days: int
    everyone_gets_it: bool
    payment_type: str
    owner_id: UUID | None
    owner_name: str
    notes: str
    created_at: datetime | None
    expire_at: datetime | None


def _already_exists_message(product_url: str) -> str:
    return (
        f"A contract for {product_url} already exists in your organization. "
        "Edit that contract instead."
    )


def _extra_hosts(hosts: list[str]) -> list[str]:
    cleaned: list[str] = []
    for host in hosts:
        try:
            normalized = normalize_host(host)
        except InvalidHost:
            raise DomainError(
                f'The extra host "{shorten(host)}" is not a host name. '
                "Use one such as force.com."
            ) from None
        if is_public_suffix(normalized):
            raise DomainError(
                public_suffix_refusal(
                    host=normalized, what=f'The extra host "{shorten(host)}"'
                )
            )
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
    if "pricing_model" not in values and "contract_type" in values:
        # The web app has no pricing field; its contract type may say.
        pricing = pricing_from_type(values["contract_type"])
        if pricing is not None:
            values["pricing_model"] = pricing.value
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
        raise Conflict(
            _already_exists_message(contract.product_url),
            code=ErrorCode.ALREADY_EXISTS,
        )
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
        raise Conflict(
            _already_exists_message(contract.product_url),
            code=ErrorCode.ALREADY_EXISTS,
        ) from None


def contract_create(
    *, organization: Organization, data: ContractData, actor: User | None
) -> Contract:
    """A new contract of the organization; 409 when its product URL is taken.

    A contract created without a start date starts now.
    """
    values = _contract_values(organization=organization, data=data)
    contract = Contract(
        organization=organization,
        **{"currency": organization.reporting_currency, **values},
    )
    if contract.created_at is None:
        contract.created_at = clock.now()
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
        # deleted too) or waits and skips them (url_visits.services.ingestion).
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
    *, actor: User, organization_public_id: str, data: ContractData
) -> tuple[Contract, bool]:
    """Creates or updates the contract of (organization, normalized product URL).

    Fields missing from `data` keep their value on update. The caller is an
    admin (the view's permission says so); the organization named by
    `organization_public_id` must be their own: any other id, including one
    that does not exist, is refused with 403 so that the answer does not tell
    which ids exist.
    """
    organization = actor.organization
    if organization is None or organization.public_id != organization_public_id:
        raise Forbidden(
            "You can only add contracts to your own organization.",
            code=ErrorCode.OTHER_ORGANIZATION,
        )
    values = _contract_values(organization=organization, data=data)
    if values.get("created_at") is None:
        values.pop("created_at", None)
    product_url = values.pop("product_url")
    with transaction.atomic():
        contract, created = Contract.objects.update_or_create(
            organization=organization,
            product_url=product_url,
            defaults=values,
            create_defaults={
                "created_at": clock.now(),
                "currency": organization.reporting_currency,
                **values,
            },
        )
        _contract_audit(
            action=AuditAction.CONTRACT_CREATED
            if created
            else AuditAction.CONTRACT_UPDATED,
            organization=organization,
            contract=contract,
            contract_id=contract.pk,
            actor=actor,
            fields=list(data),
        )
    return contract, created


# Every field a row of a CSV import may set on an existing contract. Its
# product URL, and so its vendor domain, is what the row was matched by and
# never changes.
_IMPORT_UPDATE_FIELDS = [
    "vendor_name",
    "annual_spend",
    "contract_type",
    "contract_status",
    "pricing_model",
    "payment_type",
    "num_seats",
    "owner_name",
    "notes",
    "created_at",
    "expire_at",
    "updated_at",
]


@dataclass(frozen=True)
class ContractImportResult:
    created: int
    updated: int
    unchanged: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


def contract_import(
    *, organization: Organization, csv_file: IO[bytes], actor: User | None = None
) -> ContractImportResult:
    """Creates or updates the organization's contracts from a CSV file.

    The file is in the web app's format (read by contracts.csv_import) and
    matched to existing contracts by normalized product URL. All rows or none:
    any bad row raises InvalidRows naming every bad row, and nothing is
    written. The writes take a constant number of queries whatever the size of
    the file (up to the database's batch size). One audit event records the
    counts, with `actor` None for the system (management commands).
    """
    rows = csv_import.parse_contracts(
        csv_import.read_text(csv_file, max_bytes=settings.CONTRACT_IMPORT_MAX_BYTES)
    )
    existing = {
        contract.product_url: contract
        for contract in Contract.objects.for_organization(organization)
    }
    now = clock.now()

    @cache
    def currency() -> str:
        # New contracts are in the organization's reporting currency; read
        # once, fresh, whatever `organization` was loaded with.
        return Organization.objects.values_list("reporting_currency", flat=True).get(
            pk=organization.pk
        )

    to_create: list[Contract] = []
    to_update: list[Contract] = []
    unchanged = 0
    for row in rows:
        contract = existing.get(row["product_url"])
        if contract is None:
            to_create.append(
                Contract(
                    organization=organization,
                    **{"created_at": now, "currency": currency(), **row},
                )
            )
            continue
        # A row's blank cells are not in it, so they keep the contract's values.
        changes = {
            field: value
            for field, value in row.items()
            if getattr(contract, field) != value
        }
        if not changes:
            unchanged += 1
            continue
        for field, value in changes.items():
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
                details={
                    "created": len(to_create),
                    "updated": len(to_update),
                    "unchanged": unchanged,
                },
            )
    except IntegrityError:
        # Another request created one of these product URLs meanwhile.
        raise Conflict(
            "The organization's contracts changed while the file was being "
            "imported. Upload it again."
        ) from None
    return ContractImportResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged
    )
