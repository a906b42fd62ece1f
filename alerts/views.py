from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.permissions import OrganizationScopedView
from alerts import selectors, services
from alerts.models import NotificationSettings
from alerts.serializers import (
    NotificationSettingsInputSerializer,
    NotificationSettingsSerializer,
    WebhookTestSerializer,
)
from procure_site.serializers import DetailSerializer


class NotificationSettingsView(OrganizationScopedView):
    """How the organization's renewal and waste digest is sent. Admins of the
    organization only."""

    def shown(self, found: NotificationSettings) -> Response:
        in_full = selectors.webhook_url_in_full_for(
            viewer=self.request.user, organization=self.organization
        )
        return Response(
            NotificationSettingsSerializer(
                found, context={"webhook_url_in_full": in_full}
            ).data
        )

    @extend_schema(
        responses={200: NotificationSettingsSerializer},
        summary="The digest's notification settings (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        found = selectors.notification_settings_get(organization=self.organization)
        return self.shown(found)

    @extend_schema(
        request=NotificationSettingsInputSerializer,
        responses={
            200: NotificationSettingsSerializer,
            400: DetailSerializer,
        },
        summary="Change the digest's notification settings (admins)",
        description="The webhook URL must be https:// and must not point to a "
        "loopback, private or link-local address. Audited.",
        tags=["organizations"],
    )
    def put(self, request: Request, organization_id: str) -> Response:
        serializer = NotificationSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        updated = services.notification_settings_update(
            organization=self.organization,
            email_digest=data["email_digest"],
            renewal_window_days=data["renewal_window_days"],
            webhook_url=data["webhook_url"],
            actor=request.user,
        )
        return self.shown(updated)


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
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        answer = services.webhook_test_send(organization=self.organization)
        return Response(
            WebhookTestSerializer(
                {
                    "delivered": answer.ok,
                    "status_code": answer.status,
                    "response": answer.body,
                }
            ).data
        )
