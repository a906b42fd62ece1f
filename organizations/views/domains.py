"""The organization's email domains: the list, asking for another one,
removing one. Staff verify requested domains in the console."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors
from accounts.permissions import OrganizationScopedView
from accounts.services import domains
from procure_site.serializers import DetailSerializer


class DomainSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(
        allow_null=True, help_text="Null for the organization's first domain."
    )
    domain = serializers.CharField()
    primary = serializers.BooleanField(
        help_text="The organization's first domain, which cannot be removed."
    )
    verified = serializers.BooleanField(
        help_text="Whether people with an address there can join; staff "
        "verify a requested domain once they have checked the company owns it."
    )
    requested_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)


class DomainInputSerializer(serializers.Serializer[Any]):
    domain = serializers.CharField(
        max_length=253,
        error_messages={
            "blank": "Send the domain, such as acme.co.uk.",
            "required": "Send the domain, such as acme.co.uk.",
            "max_length": "A domain name is at most 253 characters.",
        },
    )


class OrganizationDomainListView(OrganizationScopedView):
    @extend_schema(
        responses={200: DomainSerializer(many=True)},
        summary="The organization's email domains (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        rows = selectors.organization_domain_list(organization=self.organization)
        return Response(DomainSerializer(rows, many=True).data)

    @extend_schema(
        request=DomainInputSerializer,
        responses={201: DomainSerializer, 409: DetailSerializer},
        summary="Ask for another email domain of the organization (admins)",
        description=(
            "The domain waits for proCure's staff, who verify that the company "
            "owns it; once verified, people with an address there sign up "
            "into the organization, can be invited and provisioned. Audited. "
            "409 when the domain is another organization's or already asked for."
        ),
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = DomainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = domains.organization_domain_request(
            organization=self.organization,
            domain=serializer.validated_data["domain"],
            actor=self.caller,
        )
        listed = selectors.ListedDomain.of(row)
        return Response(DomainSerializer(listed).data, status=status.HTTP_201_CREATED)


class OrganizationDomainView(OrganizationScopedView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Remove one of the organization's other domains (admins)",
        description=(
            "Nobody new joins from it; people already in keep their accounts "
            "and addresses. The first domain cannot be removed. Audited."
        ),
        tags=["organizations"],
    )
    def delete(
        self, request: Request, organization_id: str, domain_id: int
    ) -> Response:
        domains.organization_domain_remove(
            organization=self.organization, domain_id=domain_id, actor=self.caller
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
