"""/scim/v2/: the SCIM 2.0 service (RFC 7644) an organization's identity
provider calls with a SCIM token. Plain Django views, not DRF: SCIM has
its own media type, its own error body and its own authentication.

Every answer is application/scim+json. Anything that goes wrong is a SCIM
Error with the status and scimType RFC 7644 gives and a `detail` a person
can act on; a request without a live token is a 401 before anything else.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    NotFoundException,
    SCIMException,
    UnauthorizedException,
)

from identity.scim import people
from identity.scim.resources import (
    CONTENT_TYPE,
    MAX_RESULTS,
    PROVIDER,
    SCHEMAS,
    SERVICE_CONFIG,
    USER_TYPE,
    PersonList,
    PersonParameters,
    PersonPatch,
    PersonResource,
    PersonSearch,
)
from identity.services.tokens import scim_token_authenticate

# A body larger than this is refused before it is read: a User is a few
# hundred bytes, a PATCH of one person a few kilobytes.
MAX_BODY = 64 * 1024


def scim_response(payload: dict[str, Any] | None, status: int = 200) -> HttpResponse:
    body = b"" if payload is None else json.dumps(payload).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def error_response(error: Error) -> HttpResponse:
    response = scim_response(error.model_dump(), status=error.status or 400)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="proCure SCIM"'
    return response


@method_decorator(csrf_exempt, name="dispatch")
class ScimView(View):
    """Authenticates the token, runs the handler under the service's
    description and policy, and turns every refusal into a SCIM Error."""

    caller: people.ScimCaller

    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        try:
            self.caller = self._authenticate(request)
            with PROVIDER:
                return super().dispatch(request, *args, **kwargs)
        except SCIMException as error:
            return error_response(error.to_error())
        except ValidationError as error:
            return error_response(Error.from_validation_errors(error)[0])

    def _authenticate(self, request: HttpRequest) -> people.ScimCaller:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        token = (
            scim_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        )
        if token is None:
            raise UnauthorizedException(
                detail="Send a live SCIM token as Authorization: Bearer scim_…; "
                "an admin of the organization creates one with POST "
                "/api/v1/organizations/{id}/scim-tokens."
            )
        base_url = request.build_absolute_uri("/scim/v2")
        return people.ScimCaller(
            organization=token.organization, token=token, base_url=base_url
        )

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        allowed = ", ".join(
            method.upper()
            for method in self.http_method_names
            if hasattr(self, method) and method != "options"
        )
        response = error_response(
            Error(
                status=405, detail=f"{request.method} is not allowed here: {allowed}."
            )
        )
        response["Allow"] = allowed
        return response

    def body(self, request: HttpRequest) -> dict[str, Any]:
        if len(request.body) > MAX_BODY:
            raise InvalidSyntaxException(
                detail=f"The body is larger than {MAX_BODY // 1024} KiB."
            )
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise InvalidSyntaxException(
                detail="The body is not JSON: send a SCIM resource as "
                "application/scim+json."
            ) from None
        if not isinstance(payload, dict):
            raise InvalidSyntaxException(detail="The body must be a JSON object.")
        return payload

    def person(
        self, user: Any, parameters: Any = None, status: int = 200
    ) -> HttpResponse:
        resource = people.person_resource(user, self.caller)
        context = (
            Context.RESOURCE_CREATION_RESPONSE
            if status == 201
            else Context.RESOURCE_QUERY_RESPONSE
        )
        response = scim_response(
            resource.model_dump(scim_ctx=context, response_parameters=parameters),
            status=status,
        )
        response["Location"] = self.caller.location(user)
        return response


def _parameters(request: HttpRequest) -> Any:
    attributes = request.GET.get("attributes")
    excluded = request.GET.get("excludedAttributes")
    if not attributes and not excluded:
        return None
    return PersonParameters.model_validate(
        {"attributes": attributes, "excludedAttributes": excluded}
    )


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _with_meta(
    dumped: dict[str, Any], resource_type: str, location: str
) -> dict[str, Any]:
    dumped["meta"] = {"resourceType": resource_type, "location": location}
    return dumped


class ServiceProviderConfigView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        dumped = SERVICE_CONFIG.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        return scim_response(
            _with_meta(
                dumped,
                "ServiceProviderConfig",
                f"{self.caller.base_url}/ServiceProviderConfig",
            )
        )


class ResourceTypesView(ScimView):
    def get(self, request: HttpRequest, name: str | None = None) -> HttpResponse:
        dumped = _with_meta(
            USER_TYPE.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE),
            "ResourceType",
            f"{self.caller.base_url}/ResourceTypes/User",
        )
        if name is None:
            return scim_response(_listed([dumped]))
        if name != "User":
            raise NotFoundException(
                detail=f"There is no resource type {name}: this service has User."
            )
        return scim_response(dumped)


def _schemas(base_url: str) -> dict[str, dict[str, Any]]:
    schemas = {}
    for schema in SCHEMAS:
        schemas[str(schema.id)] = _with_meta(
            schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE),
            "Schema",
            f"{base_url}/Schemas/{schema.id}",
        )
    return schemas


class SchemasView(ScimView):
    def get(self, request: HttpRequest, schema_id: str | None = None) -> HttpResponse:
        schemas = _schemas(self.caller.base_url)
        if schema_id is None:
            return scim_response(_listed(list(schemas.values())))
        if schema_id not in schemas:
            raise NotFoundException(
                detail=f"There is no schema {schema_id}: this service has "
                + ", ".join(schemas)
                + "."
            )
        return scim_response(schemas[schema_id])


class UsersView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        search = PersonSearch.model_validate(
            {
                key: value
                for key, value in {
                    "filter": request.GET.get("filter"),
                    "startIndex": request.GET.get("startIndex"),
                    "count": request.GET.get("count"),
                    "attributes": request.GET.get("attributes"),
                    "excludedAttributes": request.GET.get("excludedAttributes"),
                }.items()
                if value not in (None, "")
            },
            scim_ctx=Context.SEARCH_REQUEST,
        )
        return self._search(search)

    def post(self, request: HttpRequest) -> HttpResponse:
        resource = PersonResource.model_validate(
            self.body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
        )
        user = people.person_create(self.caller, resource)
        return self.person(user, _parameters(request), status=201)

    def _search(self, search: Any) -> HttpResponse:
        found = list(people.people_find(self.caller, search.filter))
        start = max(search.start_index or 1, 1)
        count = (
            MAX_RESULTS
            if search.count is None
            else min(max(search.count, 0), MAX_RESULTS)
        )
        page = found[start - 1 : start - 1 + count]
        listing = PersonList(
            total_results=len(found),
            start_index=start,
            items_per_page=len(page),
            resources=[people.person_resource(user, self.caller) for user in page],
        )
        return scim_response(
            listing.model_dump(
                scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search
            )
        )


class UsersSearchView(UsersView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        search = PersonSearch.model_validate(
            self.body(request), scim_ctx=Context.SEARCH_REQUEST
        )
        return self._search(search)


class UserView(ScimView):
    def get(self, request: HttpRequest, person_id: str) -> HttpResponse:
        user = people.person_get(self.caller, person_id)
        return self.person(user, _parameters(request))

    def put(self, request: HttpRequest, person_id: str) -> HttpResponse:
        user = people.person_get(self.caller, person_id)
        current = people.person_resource(user, self.caller)
        replacement = PersonResource.model_validate(
            self.body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
        replacement.replace(current)
        user = people.person_update(self.caller, user, replacement)
        return self.person(user, _parameters(request))

    def patch(self, request: HttpRequest, person_id: str) -> HttpResponse:
        user = people.person_get(self.caller, person_id)
        resource = people.person_resource(user, self.caller)
        operations = PersonPatch.model_validate(
            self.body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        if operations.patch(resource):
            user = people.person_update(self.caller, user, resource)
        return self.person(user, _parameters(request))

    def delete(self, request: HttpRequest, person_id: str) -> HttpResponse:
        user = people.person_get(self.caller, person_id)
        people.person_delete(self.caller, user)
        return scim_response(None, status=204)


class RootSearchView(UsersSearchView):
    """POST /.search searches every resource type: here, Users."""


class UnknownView(ScimView):
    def unknown(self, request: HttpRequest, path: str) -> HttpResponse:
        raise NotFoundException(
            detail=f"{request.path} is not a SCIM endpoint of proCure: it serves "
            "/scim/v2/Users, /Schemas, /ResourceTypes and /ServiceProviderConfig."
        )

    get = post = put = patch = delete = unknown
