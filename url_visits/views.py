from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOrganizationMember
from procure_site.serializers import DetailSerializer
from url_visits import selectors
from url_visits.models import Activity
from url_visits.serializers import (
    MonitoredHostsSerializer,
    OwnActivitySerializer,
    UrlVisitsInputSerializer,
    VisitsRecordedSerializer,
)
from url_visits.services import ingestion


class UrlVisitsView(APIView):
    """The extension's batch of visited URLs."""

    permission_classes = [IsOrganizationMember]

    @extend_schema(
        request=UrlVisitsInputSerializer,
        responses={
            200: VisitsRecordedSerializer,
            400: DetailSerializer,
            401: DetailSerializer,
            403: DetailSerializer,
            413: DetailSerializer,
        },
        summary="Record the extension's visits as activity on contracts",
    )
    def post(self, request: Request) -> Response:
        result = ingestion.url_visits_record(
            user=request.user, entries=_entries(request.data)
        )
        # The fields VisitsRecordedSerializer documents, built directly: this
        # is the busiest endpoint, and a serializer instance per response
        # costs more than the rest of the response.
        return Response(
            {
                "processed": result.processed,
                "matched": result.matched,
                "recorded": result.recorded,
                "skipped": result.skipped,
                "message": result.message,
            }
        )


def _entries(data: object) -> list[dict]:
    """The batch's entries: a list of objects under `entries`.

    The shape every extension sends is recognised directly; anything else
    goes through UrlVisitsInputSerializer, whose refusal says what is wrong.
    Both give the same entries for the same body: the serializer checks only
    that `entries` is a list of objects and hands the objects on as they are.
    """
    if type(data) is dict:
        entries = data.get("entries")
        if type(entries) is list and all(type(entry) is dict for entry in entries):
            return entries
    serializer = UrlVisitsInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    validated: list[dict] = serializer.validated_data["entries"]
    return validated


class MeActivityView(ListAPIView):
    """The activity recorded about the caller; nobody else's."""

    serializer_class = OwnActivitySerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return selectors.activity_for_user(user=self.request.user)

    @extend_schema(
        responses={200: OwnActivitySerializer(many=True), 401: DetailSerializer},
        summary="The activity recorded about me, newest first",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


def _none_match(request: Request, etag: str) -> bool:
    """Whether If-None-Match names `etag`, compared weakly as RFC 9110 says."""
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in tags or etag in [tag.removeprefix("W/") for tag in tags]


class MonitoredHostsView(APIView):
    """The hosts the caller's organization tracks, so that the extension can
    keep every other host on the device."""

    permission_classes = [IsOrganizationMember]
    # The list is the same for every member, but only members may see it:
    # browsers may keep it, shared caches may not, and a kept copy is checked
    # with If-None-Match before each use.
    cache_headers = {
        "Cache-Control": "private, no-cache",
        "Vary": "Authorization, Cookie",
    }

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="The ETag of a list the extension already has; "
                "304 while it is still current.",
            ),
            OpenApiParameter(
                "ETag",
                str,
                OpenApiParameter.HEADER,
                description="A strong validator of this list. It changes when a "
                "contract is added, changed or removed and when tracking is "
                "paused or resumed.",
                response=[200, 304],
            ),
        ],
        responses={
            200: MonitoredHostsSerializer,
            304: OpenApiResponse(
                description="The list named by If-None-Match is current. No body."
            ),
            401: DetailSerializer,
            403: DetailSerializer,
        },
        summary="The hosts my organization tracks (any member)",
    )
    def get(self, request: Request) -> Response:
        organization = request.user.organization
        etag = selectors.monitored_hosts_etag(organization=organization)
        headers = {"ETag": etag, **self.cache_headers}
        if _none_match(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        hosts = selectors.monitored_hosts(organization=organization)
        return Response(MonitoredHostsSerializer(hosts).data, headers=headers)
