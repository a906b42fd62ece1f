from datetime import date
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from contracts import terms
from contracts.currencies import currency_refusal
from contracts.models import Contract
from procure_site import clock
from procure_site.fields import ChoiceField
from procure_site.serializers import DetailSerializer

MAX_SEATS = 2_147_483_647
MAX_EXTRA_HOSTS = 20


def _spend(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


def _seats(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_SEATS, **kwargs)


def _extra_hosts(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=253),
        max_length=MAX_EXTRA_HOSTS,
        help_text="Further hosts that count as this product, e.g. force.com.",
        **kwargs,
    )


class ContractStatusField(serializers.CharField):
    """The status, read from the words clients used before it was a choice
    (contracts/terms.py): "Active", "pending" or "canceled" are accepted, an
    unknown word is refused with the valid values."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "active, trial, cancelled or expired (cancelled and expired "
            "contracts leave spend, waste and renewals). Older words are read "
            "too: pending is trial, canceled and inactive are cancelled.",
        )
        super().__init__(max_length=100, allow_blank=True, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # CharField answers a blank value before to_internal_value would see
        # it: a blank status is read too (it was "active").
        text = super().run_validation(data)
        return text if text is None else self.status_of(text)

    def status_of(self, text: str) -> str:
        status = terms.status_read(text)
        if status is None:
            raise serializers.ValidationError(terms.status_refusal(text))
        return status.value


class CurrencyField(serializers.CharField):
    """An ISO 4217 code, in any case; stored in capitals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "ISO 4217 code of annual_spend, e.g. USD or EUR. Left out on "
            "creation: the organization's reporting currency.",
        )
        super().__init__(max_length=3, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data).strip().upper()
        refusal = currency_refusal(code)
        if refusal is not None:
            raise serializers.ValidationError(refusal)
        return code


def _pricing_model(**kwargs: Any) -> ChoiceField:
    return ChoiceField(
        terms.PricingModel.choices,
        help_text="per_seat (the default: unused seats are waste), flat (one "
        "price whatever the users: cost per active user, no seat waste) or "
        "usage_based (spend follows use: no seat waste or seat advice).",
        **kwargs,
    )


def _notice_period_days(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=terms.MAX_NOTICE_DAYS,
        help_text="Days of notice cancelling takes before the renewal.",
        **kwargs,
    )


class ContractInputSerializer(serializers.Serializer):
    """A contract as the REST API takes it. PUT resets what it leaves out."""

    vendor_name = serializers.CharField(max_length=200)
    product_url = serializers.CharField(
        max_length=2048,
        help_text="Any URL of the product; stored as https://<host>.",
    )
    extra_hosts = _extra_hosts(default=list)
    annual_spend = _spend(default=Decimal("0"))
    num_seats = _seats(default=0)
    currency = CurrencyField(required=False)
    contract_type = serializers.CharField(max_length=100, allow_blank=True, default="")
    contract_status = ContractStatusField(default="active")
    pricing_model = _pricing_model(default=terms.PricingModel.PER_SEAT)
    auto_renew = serializers.BooleanField(
        default=False,
        help_text="Whether the contract renews itself for a year on expire_at.",
    )
    notice_period_days = _notice_period_days(default=0)
    everyone_gets_it = serializers.BooleanField(
        default=False,
        help_text="Everyone in the organization gets this product: its idle "
        "seats are never reclaimed.",
    )
    payment_type = serializers.CharField(max_length=100, allow_blank=True, default="")
    owner = serializers.UUIDField(
        source="owner_id",
        allow_null=True,
        default=None,
        help_text="The id of a user of the organization who owns the contract.",
    )
    owner_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    notes = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    created_at = serializers.DateTimeField(
        required=False,
        help_text="When the contract started; now when left out on creation.",
    )
    expire_at = serializers.DateTimeField(allow_null=True, default=None)


class ContractOutputSerializer(serializers.ModelSerializer):
    extra_hosts = serializers.ListField(child=serializers.CharField(), read_only=True)
    annual_spend = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True
    )
    owner = serializers.UUIDField(source="owner_id", read_only=True, allow_null=True)
    renews_on = serializers.SerializerMethodField(
        help_text="The day the current term ends: expire_at, or for a contract "
        "that auto-renews, its next anniversary. Null without expire_at."
    )
    cancel_by = serializers.SerializerMethodField(
        help_text="The last day to give notice: notice_period_days before "
        "renews_on. Null without expire_at."
    )

    def to_representation(self, contract: Contract) -> dict[str, Any]:
        shown: dict[str, Any] = super().to_representation(contract)
        shown["contract_status"] = terms.status_shown(
            status=contract.contract_status,
            expire_at=contract.expire_at,
            auto_renew=contract.auto_renew,
            today=clock.today(),
        )
        return shown

    def get_renews_on(self, contract: Contract) -> date | None:
        return terms.renews_on(
            expire_at=contract.expire_at,
            auto_renew=contract.auto_renew,
            today=clock.today(),
        )

    def get_cancel_by(self, contract: Contract) -> date | None:
        return terms.cancel_by(
            renewal=self.get_renews_on(contract),
            notice_period_days=contract.notice_period_days,
        )

    class Meta:
        model = Contract
        fields = [
            "id",
            "vendor_name",
            "product_url",
            "vendor_domain",
            "extra_hosts",
            "annual_spend",
            "currency",
            "num_seats",
            "contract_type",
            "contract_status",
            "pricing_model",
            "auto_renew",
            "notice_period_days",
            "everyone_gets_it",
            "renews_on",
            "cancel_by",
            "payment_type",
            "owner",
            "owner_name",
            "notes",
            "created_at",
            "expire_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContractUpsertInputSerializer(serializers.Serializer):
    """The web app's contract form. On update, fields left out keep their value."""

    organization_id = serializers.CharField(
        max_length=100,
        help_text="Required: the caller's own organization, org_…; another "
        "organization's id answers 403.",
    )
    vendor_name = serializers.CharField(max_length=200, help_text="Required.")
    product_url = serializers.CharField(
        max_length=2048,
        help_text="Required. Any URL of the product; stored as https://<host>. "
        "It identifies the contract: an existing one with the same host is "
        "updated, otherwise one is created.",
    )
    extra_hosts = _extra_hosts(required=False)
    annual_spend = _spend(required=False)
    contract_type = serializers.CharField(
        max_length=100, allow_blank=True, required=False
    )
    contract_status = ContractStatusField(required=False)
    pricing_model = _pricing_model(required=False)
    auto_renew = serializers.BooleanField(required=False)
    notice_period_days = _notice_period_days(required=False)
    everyone_gets_it = serializers.BooleanField(required=False)
    payment_type = serializers.CharField(
        max_length=100, allow_blank=True, required=False
    )
    num_seats = _seats(required=False)
    currency = CurrencyField(required=False)
    notes = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    expire_at = serializers.DateTimeField(allow_null=True, required=False)
    created_at = serializers.DateTimeField(allow_null=True, required=False)


class ContractUpsertOutputSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    product_url = serializers.CharField()
    vendor_domain = serializers.CharField()
    message = serializers.CharField()
    created = serializers.BooleanField()


class ContractImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV file with the header vendor_name,annual_spend,"
        "contract_type,contract_status,payment_type,product_url,number_of_seats,"
        "owner,expire_at,created_at,notes.",
        error_messages={
            "required": "Attach the CSV file in a form field named file.",
            "invalid": "Attach the CSV file in a form field named file.",
            "empty": "The file is empty. Upload a CSV file with a header line.",
        },
    )


class ContractImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(
        help_text="Rows whose contract already had every value the row gives."
    )


class ContractImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The line number; the header is 1.")
    errors = serializers.ListField(child=serializers.CharField())


class ContractImportErrorSerializer(DetailSerializer):
    rows = ContractImportRowErrorSerializer(
        many=True, required=False, help_text="Every bad row, when there are any."
    )
