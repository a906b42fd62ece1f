from typing import Any

from rest_framework import serializers

from procure_site.fields import ChoiceField
from reclaims import selectors
from reclaims.models import Reclaim, ReclaimState
from reclaims.services import PEOPLE_OR_DAYS

MAX_PEOPLE = 10_000
MAX_IDS = 1_000


class ReclaimStartInputSerializer(serializers.Serializer[Any]):
    user_ids = serializers.ListField(
        child=serializers.UUIDField(
            error_messages={"invalid": "Each user id must be a user's id (a UUID)."}
        ),
        required=False,
        allow_empty=False,
        max_length=MAX_PEOPLE,
        error_messages={
            "empty": "user_ids lists nobody: send at least one user id.",
            "max_length": f"Ask at most {MAX_PEOPLE} people at once.",
            "not_a_list": "user_ids must be a list of user ids.",
        },
        help_text="The people to ask, by user id. Or send inactive_days.",
    )
    inactive_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=400,
        error_messages={
            key: "inactive_days must be a whole number between 1 and 400."
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
        help_text="Ask everyone who used the contract before but not in this "
        "many days, except people who joined (or whose first device was seen) "
        "within them and people who answered Keep within them.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_ids" in attrs) == ("inactive_days" in attrs):
            raise serializers.ValidationError(PEOPLE_OR_DAYS)
        return attrs


class ReclaimSerializer(serializers.ModelSerializer[Reclaim]):
    contract_id = serializers.IntegerField()
    vendor_name = serializers.CharField(source="contract.vendor_name")
    user_id = serializers.UUIDField()
    email = serializers.EmailField(source="user.email")
    state = serializers.ChoiceField(choices=ReclaimState.choices)
    started_by = serializers.EmailField(
        source="started_by.email", allow_null=True, default=None
    )
    closed_by = serializers.EmailField(
        source="closed_by.email", allow_null=True, default=None
    )
    last_active_day = serializers.DateField(
        allow_null=True,
        help_text="The person's last day of use of the contract when asked.",
    )
    active_since_asked = serializers.SerializerMethodField(
        help_text="The person used the contract after they were asked. Noted "
        "only: the state does not change, and a seat is removed only when an "
        "admin confirms it."
    )
    realized_saving = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="Set once removed: the seat's price for the rest of the "
        "contract's term, in currency.",
    )

    def get_active_since_asked(self, reclaim: Reclaim) -> bool:
        return selectors.active_since_asked(reclaim)

    class Meta:
        model = Reclaim
        fields = [
            "id",
            "contract_id",
            "vendor_name",
            "user_id",
            "email",
            "state",
            "asked_at",
            "answer_by",
            "answered_at",
            "closed_at",
            "started_by",
            "closed_by",
            "last_active_day",
            "active_since_asked",
            "realized_saving",
            "currency",
        ]
        read_only_fields = fields


class SkippedSerializer(serializers.Serializer[Any]):
    user_id = serializers.CharField()
    email = serializers.EmailField()
    reason = serializers.ChoiceField(
        choices=["already_open", "kept_recently", "joined_recently"],
        help_text="already_open: a reclaim of this seat is open; kept_recently: "
        "the person answered Keep within inactive_days; joined_recently: they "
        "joined, or their first device was seen, within inactive_days.",
    )


class ReclaimStartSerializer(serializers.Serializer[Any]):
    contract_id = serializers.IntegerField(source="contract.id")
    vendor_name = serializers.CharField(source="contract.vendor_name")
    asked = ReclaimSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class ReclaimQuerySerializer(serializers.Serializer[Any]):
    state = ChoiceField(choices=ReclaimState.choices, required=False)
    contract_id = serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            key: "The contract id must be a whole number, such as contract_id=7."
            for key in ("invalid", "min_value", "max_string_length")
        },
    )


class ReclaimIdsInputSerializer(serializers.Serializer[Any]):
    reclaim_ids = serializers.ListField(
        child=serializers.IntegerField(
            min_value=1,
            error_messages={
                key: "Each reclaim id must be a whole number, such as 12."
                for key in ("invalid", "min_value", "max_string_length")
            },
        ),
        allow_empty=False,
        max_length=MAX_IDS,
        error_messages={
            "empty": "reclaim_ids lists nothing: send at least one reclaim id.",
            "max_length": f"Send at most {MAX_IDS} reclaim ids at once.",
            "not_a_list": "reclaim_ids must be a list of reclaim ids.",
        },
    )


REPLY_DAYS_REFUSAL = "reply_days must be a whole number of days between 1 and 60."


class ReclaimSettingsSerializer(serializers.Serializer[Any]):
    organization_id = serializers.CharField(source="public_id")
    reply_days = serializers.IntegerField(
        source="reclaim_reply_days",
        help_text="Days a person has to answer whether they still need a "
        "seat; after that the reclaim is no_answer.",
    )


class ReclaimSettingsInputSerializer(serializers.Serializer[Any]):
    reply_days = serializers.IntegerField(
        min_value=1,
        max_value=60,
        error_messages={
            key: REPLY_DAYS_REFUSAL
            for key in (
                "invalid",
                "min_value",
                "max_value",
                "max_string_length",
                "null",
                "required",
            )
        },
        help_text="1 to 60 (7 by default). Applies to reclaims started from "
        "now on; those already asked keep their answer_by.",
    )
