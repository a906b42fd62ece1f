"""What /scim/v2/ publishes and reads: the User resource with the
attributes proCure keeps, and the service's description. Parsing,
serializing, filters and PATCH are scim2-models'; this module only says
which attributes exist.

Everything else an identity provider sends (phone numbers, titles,
addresses…) is ignored, not refused: Okta and Entra ID send what their
mappings hold, and refusing it would stop provisioning for everyone.
"""

from typing import Annotated, Any

from pydantic import EmailStr
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    Extension,
    Filter,
    ListResponse,
    Patch,
    PatchOp,
    Required,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimPolicy,
    ScimProvider,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

CONTENT_TYPE = "application/scim+json"
# The most people one page of /Users lists, whatever `count` asks.
MAX_RESULTS = 200


class PersonName(ComplexAttribute):
    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None


class PersonEmail(ComplexAttribute):
    value: Annotated[EmailStr | None, Required.true] = None
    type: Email.Type | None = None
    primary: bool | None = None


class Department(Extension):
    """The enterprise extension's department: proCure's spend by department
    groups people by it."""

    __schema__ = URN("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")

    department: str | None = None


class Person(Resource[Any]):
    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: PersonName | None = None
    display_name: str | None = None
    active: bool | None = None
    # Required: proCure knows a person by their address.
    emails: Annotated[list[PersonEmail] | None, Required.true] = None


def _of_people(generic: Any) -> Any:
    """`generic` bound to a model of people: its paths resolve against it."""
    return generic[PersonResource]


# Person with the enterprise extension: what /Users serves.
PersonResource: Any = Person.__class_getitem__(Department)
PersonSearch: Any = _of_people(SearchRequest)
PersonPatch: Any = _of_people(PatchOp)
PersonParameters: Any = _of_people(ResponseParameters)
PersonList: Any = _of_people(ListResponse)

# Okta and Entra ID depart from RFC 7644 in known ways: attributes proCure
# does not keep, `remove` operations carrying a value, and paths such as
# emails[type eq "work"].value for an entry not there yet.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


SERVICE_CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="Bearer token",
            description="A SCIM token an admin of the organization "
            "creates with POST /api/v1/organizations/{id}/scim-tokens.",
            primary=True,
        )
    ],
)


USER_TYPE = ResourceType.from_resource(PersonResource)
USER_TYPE.name = "User"
USER_TYPE.description = "A person of the organization"

PROVIDER = ScimProvider(
    models=[Person, Department],
    resource_types=[USER_TYPE],
    config=SERVICE_CONFIG,
    policy=POLICY,
)

# The published schemas, named as RFC 7643 names them (scim2-models names
# them after the Python classes).
_SCHEMA_NAMES = {
    str(Person.__schema__): {"name": "User", "description": "A person"},
    str(Department.__schema__): {
        "name": "EnterpriseUser",
        "description": "The person's department",
    },
}
SCHEMAS = [
    schema.model_copy(update=_SCHEMA_NAMES[str(schema.id)])
    for schema in PROVIDER.schemas
]
