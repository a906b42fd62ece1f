from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from audit import selectors
from audit.models import AuditEvent
from audit.serializers import AuditEventSerializer, AuditLogQuerySerializer
from procure_site.serializers import DetailSerializer


class AuditLogView(OrganizationScopedView, generics.ListAPIView):
    """Who did what in the organization, newest first: its verified admins and
    staff only."""

    staff_permission_model = "audit.auditevent"

    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        query = AuditLogQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.audit_event_list(
            organization=self.organization, action=query.validated_data.get("action")
        )

    @extend_schema(
        parameters=[AuditLogQuerySerializer],
        responses={
            200: AuditEventSerializer(many=True),
            400: DetailSerializer,
        },
        summary="The organization's audit log, newest first (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
