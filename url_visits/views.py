from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOrganizationMember
from accounts.serializers import DetailSerializer
from url_visits import selectors, services
from url_visits.models import Activity
from url_visits.serializers import (
    OwnActivitySerializer,
    UrlVisitsInputSerializer,
    VisitsRecordedSerializer,
)


class UrlVisitsView(APIView):
    """The extension's batch of visited URLs."""

    permission_classes = [IsOrganizationMember]
    parser_classes = [JSONParser]

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
        serializer = UrlVisitsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.url_visits_record(
            user=request.user, entries=serializer.validated_data["entries"]
        )
        return Response(VisitsRecordedSerializer(result).data)


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
