from datetime import date

from rest_framework import serializers

from analytics import metrics
from procure_site import clock


def _errors(message: str) -> dict[str, str]:
    """One message for every way a whole-number parameter can be wrong.

    The error handler puts the parameter's name before a message unless the
    message already names it, so the messages below either start with the
    name ("months must be ...") or read well after "within_days: ".
    """
    keys = ("invalid", "min_value", "max_value", "max_string_length")
    return dict.fromkeys(keys, message)


CONTRACT_ID_ERRORS = _errors(
    "The contract id must be a whole number, such as contract_id=7."
)


# Query parameters.


class ContractUsageQuerySerializer(serializers.Serializer):
    month = serializers.CharField(
        required=False,
        help_text="The UTC month, YYYY-MM. Default: the current UTC month.",
    )

    def validate_month(self, value: str) -> date:
        try:
            return clock.parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class _OneContractQuerySerializer(serializers.Serializer):
    """`?contract_id=` narrows a report to one contract."""

    contract_id = serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages=CONTRACT_ID_ERRORS,
        help_text="Only this contract.",
    )


class UsageTrendQuerySerializer(_OneContractQuerySerializer):
    months = serializers.IntegerField(
        default=6,
        min_value=1,
        max_value=24,
        error_messages=_errors("months must be a whole number between 1 and 24."),
        help_text="How many UTC months, the current one included (1 to 24).",
    )


class InactiveUsersQuerySerializer(_OneContractQuerySerializer):
    days = serializers.IntegerField(
        default=30,
        min_value=1,
        max_value=400,
        error_messages=_errors("days must be a whole number between 1 and 400."),
        help_text=(
            "A user is inactive on a contract when they have no activity on it "
            "in this many days, today included (1 to 400)."
        ),
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages=_errors("limit must be a whole number between 1 and 10000."),
        help_text="Optional: at most this many inactive users per contract, "
        "from `offset` (longest idle first); inactive_user_count stays the "
        "whole count. Left out, every one is listed.",
    )
    offset = serializers.IntegerField(
        default=0,
        min_value=0,
        error_messages=_errors("offset must be a whole number, 0 or more."),
        help_text="With limit: how many inactive users of each contract to skip first.",
    )


class RenewalsQuerySerializer(serializers.Serializer):
    within_days = serializers.IntegerField(
        default=90,
        min_value=1,
        max_value=730,
        error_messages=_errors("must be a whole number of days between 1 and 730."),
        help_text="Contracts whose last day to cancel (cancel_by) falls within "
        "this many days from now (1 to 730).",
    )


# Responses.


class ContractUsageSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    active_users = serializers.IntegerField()
    total_seats = serializers.IntegerField()
    annual_spend = serializers.FloatField()
    utilization = serializers.FloatField(
        allow_null=True,
        help_text="Active users / seats; null when seats is 0 or when proCure "
        "has no data for the month (coverage none).",
    )
    unused_seats = serializers.IntegerField(
        allow_null=True, help_text="null when proCure has no data for the month."
    )
    cost_per_active_user = serializers.FloatField(
        allow_null=True, help_text="Annual spend / active users; null when none."
    )
    estimated_waste = serializers.FloatField(
        allow_null=True,
        help_text="Annual spend x unused seats / seats; null when seats is 0, "
        "when the contract is not priced per seat, or when proCure has no data "
        "for the month (coverage none).",
    )
    pricing_model = serializers.CharField(
        help_text="per_seat, flat or usage_based: only per-seat contracts have "
        "utilization, unused seats and waste."
    )
    seats_reclaimed = serializers.IntegerField(
        help_text="Seats removed through reclaims by the end of the month."
    )
    realized_savings = serializers.FloatField(
        help_text="What those removed seats save: each seat's price for the "
        "rest of the contract's term when it was removed, in currency."
    )
    currency = serializers.CharField(
        help_text="ISO 4217 code of this contract's amounts."
    )


class RateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rate = serializers.FloatField(
        help_text="Units of the reporting currency for one unit of currency."
    )
    valid_from = serializers.DateField()


class UsageTotalsSerializer(serializers.Serializer):
    annual_spend = serializers.FloatField(
        help_text="In the reporting currency: each contract converted with rates."
    )
    estimated_waste = serializers.FloatField(
        allow_null=True, help_text="null when proCure has no data for the month."
    )
    currency = serializers.CharField(
        help_text="The organization's reporting currency (ISO 4217)."
    )
    rates = RateSerializer(
        many=True,
        help_text="The rates the totals used: for each other currency, the "
        "organization's latest from on or before the month's last day (today "
        "for the current month).",
    )
    seats_reclaimed = serializers.IntegerField(
        help_text="Seats removed through reclaims by the end of the month, "
        "every contract listed."
    )
    realized_savings = serializers.FloatField(
        help_text="Their realized savings in the reporting currency, converted "
        "with rates."
    )
    unconverted = serializers.ListField(
        child=serializers.CharField(),
        help_text="Currencies with no rate: their contracts are left out of the "
        "totals, never added unconverted.",
    )


COVERAGE_CHOICES = [metrics.FULL, metrics.PARTIAL, metrics.NONE]


class ContractUsageReportSerializer(serializers.Serializer):
    organization_id = serializers.CharField()
    company_name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    data_since = serializers.DateField(
        help_text="The first UTC day proCure has usage data for: tracking start "
        "or earlier activity, within the retention window."
    )
    coverage = serializers.ChoiceField(
        choices=COVERAGE_CHOICES,
        help_text="full: the month is over and all of it has data; partial: "
        "data begins during the month, or the month is not over; none: no data "
        "for the month, so utilization and waste are null, not zero.",
    )
    coverage_note = serializers.CharField(
        allow_null=True, help_text="Why coverage is partial or none; else null."
    )
    contracts = ContractUsageSerializer(many=True)
    totals = UsageTotalsSerializer()


class MonthlyActiveUsersSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    active_users = serializers.IntegerField()
    coverage = serializers.ChoiceField(
        choices=COVERAGE_CHOICES,
        help_text="How much of the month proCure has data for, as in "
        "contract-usage: with none, active_users 0 means unknown.",
    )


class ContractTrendSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    total_seats = serializers.IntegerField()
    months = MonthlyActiveUsersSerializer(many=True)


class UsageTrendReportSerializer(serializers.Serializer):
    organization_id = serializers.CharField()
    company_name = serializers.CharField()
    months = serializers.ListField(
        child=serializers.CharField(), help_text="YYYY-MM, oldest first."
    )
    data_since = serializers.DateField(
        help_text="The first UTC day proCure has usage data for."
    )
    contracts = ContractTrendSerializer(many=True)


class InactiveUserListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict]:
        # A report can list tens of thousands of idle seats, each a
        # (user_id, email, last_active_day) tuple. One comprehension gives
        # what the child's fields would, without a call per seat.
        return [
            {
                "user_id": user_id,
                "email": email,
                "last_active_day": last_active_day.isoformat(),
            }
            for user_id, email, last_active_day in data
        ]


# One idle seat, as the schema shows it. Seats are only ever rendered in lists,
# by InactiveUserListSerializer.
class InactiveUserSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    email = serializers.EmailField()
    last_active_day = serializers.DateField()

    class Meta:
        list_serializer_class = InactiveUserListSerializer


class ContractInactiveUsersSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    total_seats = serializers.IntegerField()
    inactive_user_count = serializers.IntegerField()
    inactive_users = InactiveUserSerializer(many=True)


class InactiveUsersReportSerializer(serializers.Serializer):
    organization_id = serializers.CharField()
    company_name = serializers.CharField()
    days = serializers.IntegerField()
    active_since = serializers.DateField(
        help_text="Activity on or after this UTC day counts as recent."
    )
    contracts = ContractInactiveUsersSerializer(many=True)


class RenewalSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField()
    expire_at = serializers.DateTimeField(
        help_text="When the current term ends: the contract's expire_at, or for "
        "one that auto-renews and whose date has passed, its next anniversary."
    )
    days_until_expiry = serializers.IntegerField()
    cancel_by = serializers.DateField(
        help_text="The last day to give notice: notice_period_days before the "
        "term ends. The report lists contracts whose cancel_by falls in the "
        "next within_days days, or has passed while the term runs."
    )
    days_until_cancel_by = serializers.IntegerField(
        help_text="Negative once the notice period has begun."
    )
    auto_renew = serializers.BooleanField()
    notice_period_days = serializers.IntegerField()
    pricing_model = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217 code of the amounts.")
    annual_spend = serializers.FloatField()
    total_seats = serializers.IntegerField()
    active_users = serializers.IntegerField(
        help_text="Distinct users active in the last usage_days days."
    )
    utilization = serializers.FloatField(allow_null=True)
    suggestion = serializers.ChoiceField(
        choices=["renew", "downsize", "cancel", "wait"],
        help_text="wait: proCure's data does not cover the last usage_days days "
        "yet, so it suggests no cut on missing data.",
    )
    suggested_seats = serializers.IntegerField(allow_null=True)
    estimated_savings = serializers.FloatField()
    reason = serializers.CharField()


class RenewalsReportSerializer(serializers.Serializer):
    organization_id = serializers.CharField()
    company_name = serializers.CharField()
    within_days = serializers.IntegerField()
    usage_days = serializers.IntegerField()
    data_since = serializers.DateField(
        help_text="The first UTC day proCure has usage data for."
    )
    contracts = RenewalSerializer(many=True)


class DepartmentSpendSerializer(serializers.Serializer):
    department = serializers.CharField(help_text='"" for people without one.')
    active_users = serializers.IntegerField(
        help_text="Distinct people of the department who used any contract in "
        "force in the month."
    )
    spend = serializers.FloatField(help_text="The month cost allocated to it.")


class SpendByDepartmentReportSerializer(serializers.Serializer):
    organization_id = serializers.CharField()
    company_name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    data_since = serializers.DateField()
    coverage = serializers.ChoiceField(choices=COVERAGE_CHOICES)
    coverage_note = serializers.CharField(allow_null=True)
    currency = serializers.CharField(
        help_text="The reporting currency every amount here is in."
    )
    unconverted = serializers.ListField(
        child=serializers.CharField(),
        help_text="Currencies without a rate: their contracts are left out.",
    )
    total_spend = serializers.FloatField(
        help_text="A twelfth of the annual spend of every contract in force in "
        "the month, each to the cent: departments, unused_seats and "
        "unused_contracts add up to it."
    )
    departments = DepartmentSpendSerializer(many=True)
    unused_seats = serializers.FloatField(
        allow_null=True,
        help_text="The month cost of per-seat contracts' unused seats, "
        "allocated to nobody; null when proCure has no data for the month.",
    )
    unused_contracts = serializers.FloatField(
        allow_null=True,
        help_text="The month cost of contracts nobody used; null when proCure "
        "has no data for the month.",
    )
