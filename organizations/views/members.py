"""The organization's name, and its members: the list, a role change and a
deactivation, within the seat caps."""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import OrganizationScopedView
from accounts.services import organizations
from analytics.selectors import members
from organizations.serializers import (
    OrganizationNameSerializer,
    OrganizationUserSerializer,
    PeopleImportInputSerializer,
    PeopleImportResultSerializer,
    UserRoleInputSerializer,
)
from organizations.services import member_deactivate, people_departments_import
from procure_site.serializers import DetailSerializer


class OrganizationNameView(OrganizationScopedView):
    """The name and domain of an organization; any of its members may ask."""

    admins_only = False

    @extend_schema(
        responses={200: OrganizationNameSerializer},
        summary="The organization's name and domain (any member)",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        return Response(OrganizationNameSerializer(self.organization).data)


USER_CHANGE_ERRORS = {400: DetailSerializer}


class OrganizationUserListView(OrganizationScopedView, generics.ListAPIView[User]):
    """The organization's users, for its verified admins and staff."""

    staff_permission_model = "accounts.user"

    serializer_class = OrganizationUserSerializer

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return members.organization_user_list(organization=self.organization)

    @extend_schema(
        responses={200: OrganizationUserSerializer(many=True)},
        summary="The organization's users with their last activity (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OrganizationUserView(OrganizationScopedView):
    staff_permission_model = "accounts.user"

    @extend_schema(
        request=UserRoleInputSerializer,
        responses={200: OrganizationUserSerializer, **USER_CHANGE_ERRORS},
        summary="Change a user's role within the seat caps, or department (admins)",
        tags=["organizations"],
    )
    def patch(self, request: Request, organization_id: str, user_id: UUID) -> Response:
        user = members.organization_user_get(
            organization=self.organization, user_id=user_id
        )
        serializer = UserRoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            if "role" in serializer.validated_data:
                organizations.user_change_role(
                    user=user, role=serializer.validated_data["role"], actor=self.caller
                )
            if "department" in serializer.validated_data:
                organizations.user_department_set(
                    user=user,
                    department=serializer.validated_data["department"],
                    actor=self.caller,
                )
        user = members.organization_user_get(
            organization=self.organization, user_id=user_id
        )
        return Response(OrganizationUserSerializer(user).data)


class OrganizationUserDeactivateView(OrganizationScopedView):
    staff_permission_model = "accounts.user"

    @extend_schema(
        request=None,
        responses={200: OrganizationUserSerializer, **USER_CHANGE_ERRORS},
        summary="Deactivate a user and sign them out everywhere (admins)",
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str, user_id: UUID) -> Response:
        user = members.organization_user_get(
            organization=self.organization, user_id=user_id
        )
        member_deactivate(user=user, actor=self.caller)
        user = members.organization_user_get(
            organization=self.organization, user_id=user_id
        )
        return Response(OrganizationUserSerializer(user).data)


class PeopleImportView(OrganizationScopedView):
    """Sets people's departments from a CSV file: all rows or none."""

    staff_permission_model = "accounts.user"
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=PeopleImportInputSerializer,
        responses={200: PeopleImportResultSerializer, 400: DetailSerializer},
        summary="Set people's departments from a CSV file (admins)",
        description="Every email must be a person of the organization; a bad "
        "row rejects the file with every bad row listed in rows. Audited per "
        "change.",
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = PeopleImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = people_departments_import(
            organization=self.organization,
            csv_file=serializer.validated_data["file"],
            actor=self.caller,
        )
        return Response(PeopleImportResultSerializer(result).data)
