"""The organization's four settings, one shape: GET shows the setting, PUT
replaces it through organizations.services and shows the result. Admins of
the organization (and staff with the organization's permissions)."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.throttling import ScopedRateThrottle

from accounts.permissions import OrganizationScopedView
from alerts import selectors as alert_selectors
from alerts.models import NotificationSettings
from alerts.serializers import (
    NotificationSettingsInputSerializer,
    NotificationSettingsSerializer,
    WebhookTestSerializer,
)
from alerts.services import webhook
from discovery.serializers import DiscoveryInputSerializer, DiscoverySerializer
from organizations import services
from procure_site.serializers import DetailSerializer
from reclaims.serializers import (
    ReclaimSettingsInputSerializer,
    ReclaimSettingsSerializer,
)
from url_visits.serializers import TrackingInputSerializer, TrackingSerializer

TAGS = ["organizations"]


class OrganizationSettingView(OrganizationScopedView):
    """A setting: `current()` reads it, `change()` replaces it with the
    validated input, `shown()` renders either."""

    input_serializer_class: type[Serializer[Any]]
    output_serializer_class: type[Serializer[Any]]

    def current(self) -> Any:
        return self.organization

    def change(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def shown(self, setting: Any) -> Response:
        return Response(self.output_serializer_class(setting).data)

    def get(self, request: Request, organization_id: str) -> Response:
        return self.shown(self.current())

    def put(self, request: Request, organization_id: str) -> Response:
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.shown(self.change(serializer.validated_data))


@extend_schema_view(
    get=extend_schema(
        responses={200: TrackingSerializer},
        summary="Whether tracking is paused (admins)",
        tags=TAGS,
    ),
    put=extend_schema(
        request=TrackingInputSerializer,
        responses={200: TrackingSerializer, 400: DetailSerializer},
        summary="Pause or resume tracking (admins)",
        description="While paused, url-visits answers 200 and records nothing, "
        "and monitored-hosts lists no host.",
        tags=TAGS,
    ),
)
class TrackingView(OrganizationSettingView):
    """Whether the organization's visits are being recorded. Admins of the
    organization only."""

    input_serializer_class = TrackingInputSerializer
    output_serializer_class = TrackingSerializer

    def change(self, data: dict[str, Any]) -> Any:
        return services.tracking_change(
            organization=self.organization,
            paused=data["paused"],
            actor=self.caller,
        )


@extend_schema_view(
    get=extend_schema(
        responses={200: DiscoverySerializer},
        summary="Whether shadow-IT discovery is on (admins)",
        tags=TAGS,
    ),
    put=extend_schema(
        request=DiscoveryInputSerializer,
        responses={200: DiscoverySerializer, 400: DetailSerializer},
        summary="Turn shadow-IT discovery on or off (admins)",
        description="Off by default. While on, url-visits counts each person "
        "once per month among the users of the catalog applications they "
        "visit that match no contract; who used what is kept only until the "
        "month closes. Turning it off deletes the open month's list at once.",
        tags=TAGS,
    ),
)
class DiscoveryView(OrganizationSettingView):
    """Whether the organization counts its users of catalog applications
    that match no contract. Admins of the organization only."""

    input_serializer_class = DiscoveryInputSerializer
    output_serializer_class = DiscoverySerializer

    def change(self, data: dict[str, Any]) -> Any:
        return services.discovery_change(
            organization=self.organization,
            enabled=data["enabled"],
            min_users=data["min_users"],
            actor=self.caller,
        )


@extend_schema_view(
    get=extend_schema(
        responses={200: NotificationSettingsSerializer},
        summary="The digest's notification settings (admins)",
        tags=TAGS,
    ),
    put=extend_schema(
        request=NotificationSettingsInputSerializer,
        responses={200: NotificationSettingsSerializer, 400: DetailSerializer},
        summary="Change the digest's notification settings (admins)",
        description="The webhook URL must be https:// and must not point to a "
        "loopback, private or link-local address. Audited.",
        tags=TAGS,
    ),
)
class NotificationSettingsView(OrganizationSettingView):
    """How the organization's renewal and waste digest is sent. Admins of the
    organization only."""

    input_serializer_class = NotificationSettingsInputSerializer
    output_serializer_class = NotificationSettingsSerializer

    def current(self) -> Any:
        return alert_selectors.notification_settings_get(organization=self.organization)

    def change(self, data: dict[str, Any]) -> Any:
        return services.notifications_change(
            organization=self.organization,
            email_digest=data["email_digest"],
            renewal_window_days=data["renewal_window_days"],
            webhook_url=data["webhook_url"],
            actor=self.caller,
            reminder_offsets=data.get("reminder_offsets"),
        )

    def shown(self, setting: NotificationSettings) -> Response:
        # Staff see the webhook URL masked: it is a credential.
        in_full = alert_selectors.webhook_url_in_full_for(
            viewer=self.caller, organization=self.organization
        )
        return Response(
            NotificationSettingsSerializer(
                setting, context={"webhook_url_in_full": in_full}
            ).data
        )


class WebhookTestView(OrganizationScopedView):
    """Sends a test message to the organization's webhook. Admins only."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "webhook_test"

    @extend_schema(
        request=None,
        responses={
            200: WebhookTestSerializer,
            400: DetailSerializer,
            429: DetailSerializer,
            502: DetailSerializer,
        },
        summary="Send a test message to the webhook (admins)",
        description="Answers with what the receiver said, whatever its status; "
        "400 when there is no webhook URL or it may not be called, 502 when "
        "the receiver cannot be reached; 429 after THROTTLE_WEBHOOK_TEST_RATE "
        "test messages.",
        tags=TAGS,
    )
    def post(self, request: Request, organization_id: str) -> Response:
        answer = webhook.webhook_test_send(organization=self.organization)
        return Response(
            WebhookTestSerializer(
                {
                    "delivered": answer.ok,
                    "status_code": answer.status,
                    "response": answer.body,
                }
            ).data
        )


@extend_schema_view(
    get=extend_schema(
        responses={200: ReclaimSettingsSerializer},
        summary="How long people have to answer about their seats (admins)",
        tags=TAGS,
    ),
    put=extend_schema(
        request=ReclaimSettingsInputSerializer,
        responses={200: ReclaimSettingsSerializer, 400: DetailSerializer},
        summary="Set how long people have to answer about their seats (admins)",
        description="reply_days, 1 to 60 (7 by default), applies to the "
        "reclaims started from now on. Audited.",
        tags=TAGS,
    ),
)
class ReclaimSettingsView(OrganizationSettingView):
    """The organization's reclaim settings. Admins of the organization only."""

    input_serializer_class = ReclaimSettingsInputSerializer
    output_serializer_class = ReclaimSettingsSerializer

    def change(self, data: dict[str, Any]) -> Any:
        return services.reclaim_settings_change(
            organization=self.organization,
            reply_days=data["reply_days"],
            actor=self.caller,
        )
