from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from health import selectors
from health.serializers import (
    NotReadySerializer,
    PingFailedSerializer,
    PingSerializer,
    ReadinessSerializer,
    ServiceSerializer,
)
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DATABASE_RETRY_AFTER, error_body


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class ServiceInfoView(PublicView):
    @extend_schema(
        responses={200: ServiceSerializer},
        summary="What this service is",
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "service": "proCure Backend",
                "version": settings.SERVICE_VERSION,
                "docs_url": "/docs",
                "health_check": "/ping",
            }
        )


class PingView(PublicView):
    @extend_schema(
        responses={200: PingSerializer, 503: PingFailedSerializer},
        summary="Database read and write check",
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        database = selectors.database_check()
        healthy = all(part["status"] == "success" for part in database.values())
        message = (
            "Backend is up and running!"
            if healthy
            else "Backend is up but its database is not working."
        )
        body = {
            "message": message,
            "timestamp": clock.now().isoformat(),
            "database": database,
        }
        if healthy:
            return Response(body)
        # The shape the clients read, plus the error envelope's two keys.
        return Response(
            {
                **body,
                **error_body(message, ErrorCode.DATABASE_UNAVAILABLE),
            },
            status=503,
            headers={"Retry-After": DATABASE_RETRY_AFTER},
        )


class LivenessView(PublicView):
    @extend_schema(
        responses={200: ReadinessSerializer},
        summary="Liveness: the process answers",
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok", "detail": "The service is running."})


class ReadinessView(PublicView):
    @extend_schema(
        responses={200: ReadinessSerializer, 503: NotReadySerializer},
        summary="Readiness: database reachable and fully migrated",
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        problem = selectors.readiness_problem()
        if problem:
            return Response(
                {"status": "unavailable", **error_body(problem, ErrorCode.NOT_READY)},
                status=503,
                headers={"Retry-After": DATABASE_RETRY_AFTER},
            )
        return Response({"status": "ok", "detail": "The service is ready."})
