import json
from datetime import UTC, date, datetime, time

from django import forms
from django.contrib import admin

from contracts import services
from contracts.hosts import (
    InvalidHost,
    contract_product_url,
    is_public_suffix,
    normalize_host,
    public_suffix_refusal,
)
from contracts.models import Contract, ExchangeRate
from procure_site.exceptions import DomainError

# The usual values of the web app's free-text fields; values already in use
# are offered too, so that editing a contract never loses one.
USUAL_VALUES = {
    "contract_type": ["subscription", "license", "usage-based"],
    "payment_type": ["credit card", "invoice", "virtual cards"],
}


class HostListField(forms.CharField):
    """Extra hosts edited as a list: one host a line (commas work too)."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "force.com"})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return "\n".join(str(host) for host in value)
        return value

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        text = str(value or "").strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise forms.ValidationError("Enter one host a line.") from None
            return parsed if isinstance(parsed, list) else [parsed]
        return [host for host in text.replace(",", "\n").split() if host]


class ContractAdminForm(forms.ModelForm):
    """Normalizes hosts as the API does, so that staff edits match visits too."""

    extra_hosts = HostListField(required=False, help_text="One host a line.")
    created_at = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expire_at = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, usual in USUAL_VALUES.items():
            in_use = (
                Contract.objects.exclude(**{name: ""})
                .order_by()
                .values_list(name, flat=True)
                .distinct()[:50]
            )
            current = getattr(self.instance, name, "") or ""
            values = sorted({*usual, *in_use, current} - {""})
            self.fields[name] = forms.ChoiceField(
                choices=[("", "—"), *((value, value) for value in values)],
                required=False,
            )
        for name in ("created_at", "expire_at"):
            moment = getattr(self.instance, name, None)
            if moment is not None:
                self.initial[name] = moment.astimezone(UTC).date()

    def _moment(self, name: str) -> datetime | None:
        # A date keeps the time of day already stored for it; a new date is
        # the start of that UTC day.
        day: date | None = self.cleaned_data.get(name)
        if day is None:
            return None
        stored: datetime | None = getattr(self.instance, name, None)
        if stored is not None and stored.astimezone(UTC).date() == day:
            return stored
        return datetime.combine(day, time.min, tzinfo=UTC)

    def clean_created_at(self) -> datetime | None:
        return self._moment("created_at")

    def clean_expire_at(self) -> datetime | None:
        return self._moment("expire_at")

    class Meta:
        model = Contract
        fields = [
            "organization",
            "vendor_name",
            "product_url",
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
            "payment_type",
            "owner",
            "owner_name",
            "notes",
            "created_at",
            "expire_at",
        ]

    def clean_product_url(self) -> str:
        try:
            product_url, vendor_domain = contract_product_url(
                url=self.cleaned_data["product_url"]
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None
        # vendor_domain is read-only in the admin: it follows the product URL.
        self.instance.vendor_domain = vendor_domain
        return product_url

    def clean_extra_hosts(self) -> list[str]:
        hosts = self.cleaned_data.get("extra_hosts") or []
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise forms.ValidationError('Enter a list of hosts, e.g. ["force.com"].')
        try:
            normalized = [normalize_host(host) for host in hosts]
        except InvalidHost:
            raise forms.ValidationError(
                "Each extra host must be a host name such as force.com."
            ) from None
        for host in normalized:
            if is_public_suffix(host):
                raise forms.ValidationError(
                    public_suffix_refusal(host=host, what=f'The extra host "{host}"')
                )
        return list(dict.fromkeys(normalized))

    def clean(self) -> dict:
        cleaned = super().clean()
        owner = cleaned.get("owner")
        organization = cleaned.get("organization")
        if owner and organization and owner.organization_id != organization.id:
            self.add_error("owner", "The owner must be a user of the organization.")
        return cleaned


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = [
        "vendor_name",
        "organization",
        "product_url",
        "num_seats",
        "annual_spend",
        "contract_status",
        "expires",
    ]
    list_select_related = ["organization"]
    list_filter = ["organization", "contract_status", "pricing_model", "contract_type"]
    search_fields = ["vendor_name", "product_url", "vendor_domain"]
    readonly_fields = ["vendor_domain", "updated_at"]
    raw_id_fields = ["owner"]

    @admin.display(description="Expires", ordering="expire_at")
    def expires(self, obj: Contract) -> date | None:
        return obj.expire_at.astimezone(UTC).date() if obj.expire_at else None

    # Staff edits go through the services, so that they are audited and take
    # the same locks as the API's.
    def save_model(self, request, obj: Contract, form, change: bool) -> None:
        services.contract_save(
            contract=obj, actor=request.user, fields=list(form.changed_data)
        )

    def delete_model(self, request, obj: Contract) -> None:
        services.contract_delete(contract=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for contract in queryset.select_related("organization"):
            services.contract_delete(contract=contract, actor=request.user)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Each organization's rates to its reporting currency, by date; staff
    set them here, admins through the API (exchange-rates)."""

    list_display = ["organization", "currency", "rate", "valid_from", "created_at"]
    list_filter = ["currency", "organization"]
    list_select_related = ["organization"]
    search_fields = ["organization__domain_name", "currency"]
    fields = ["organization", "currency", "rate", "valid_from"]
