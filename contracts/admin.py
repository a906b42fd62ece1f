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
from contracts.models import Contract
from procure_site.exceptions import DomainError


class ContractAdminForm(forms.ModelForm):
    """Normalizes hosts as the API does, so that staff edits match visits too."""

    class Meta:
        model = Contract
        fields = [
            "organization",
            "vendor_name",
            "product_url",
            "extra_hosts",
            "annual_spend",
            "num_seats",
            "contract_type",
            "contract_status",
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
        "expire_at",
    ]
    list_select_related = ["organization"]
    list_filter = ["organization", "contract_status", "contract_type"]
    search_fields = ["vendor_name", "product_url", "vendor_domain"]
    readonly_fields = ["vendor_domain", "updated_at"]
    raw_id_fields = ["owner"]

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
