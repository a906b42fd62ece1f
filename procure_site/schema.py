"""OpenAPI: what the operations of every app share.

The endpoints under /api/v1/organizations/{organization_id}/ share a path
parameter and their 401, 403 and 404 answers, declared once below.

Views declare the errors of their own rules. A few answers are the same for
every operation and come from this package: a lost database (503, from the
exception handlers), a body over MAX_REQUEST_BYTES (413, from the request-size
middleware), a page number past the end of a list (404, from the
pagination), a NUL character or lone surrogate in the address (400, from
UnsafeTextMiddleware), a body that is not usable JSON (400, from the
parser) or not JSON at all (415), and a request line or headers over
gunicorn's limits (414, 431, answered in JSON by procure_site/workers.py).
A drf-spectacular postprocessing hook adds them to every operation they can
happen to, so that clients and the schema fuzzer know them.
"""

from drf_spectacular.utils import OpenApiParameter

# Shared by every endpoint under /api/v1/organizations/{organization_id}/.
ORGANIZATION_ID_PARAMETER = OpenApiParameter(
    "organization_id",
    str,
    OpenApiParameter.PATH,
    description="The organization's public id, org_ followed by 32 letters and digits.",
)

DETAIL = {"$ref": "#/components/schemas/Detail"}
DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

# Operations that never touch the database: the service description and the
# liveness probe.
NO_DATABASE = {("/", "get"), ("/healthz", "get")}

DATABASE_UNAVAILABLE = {
    "description": "The database cannot be reached, or is busy with other "
    "writes; retry after the given delay.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "integer"},
        }
    },
    "content": {"application/json": {"schema": DETAIL}},
}
TOO_LARGE = {
    "description": "The request body is larger than the service accepts.",
    "content": {"application/json": {"schema": DETAIL}},
}
UNSAFE_INPUT = {
    "description": "The request could not be used: a NUL character or an "
    "unpaired surrogate in the address or the body, or a body that is not "
    "valid JSON or is nested too deep.",
    "content": {"application/json": {"schema": DETAIL}},
}
UNSUPPORTED_MEDIA_TYPE = {
    "description": "The body is not in a media type this operation reads.",
    "content": {"application/json": {"schema": DETAIL}},
}
REQUEST_LINE_TOO_LONG = {
    "description": "The request line (address and query string) is longer than "
    "the server accepts.",
    "content": {"application/json": {"schema": DETAIL}},
}
HEADERS_TOO_LARGE = {
    "description": "The request headers are larger or more than the server accepts.",
    "content": {"application/json": {"schema": DETAIL}},
}
NO_SUCH_PAGE = {
    "description": "No such page, or the page number is not a number.",
    "content": {"application/json": {"schema": DETAIL}},
}


ORGANIZATION_PATH = "/api/v1/organizations/{organization_id}/"
ORGANIZATION_REFUSALS = {
    "401": {
        "description": "Not signed in.",
        "content": {"application/json": {"schema": DETAIL}},
    },
    "403": {
        "description": "Another organization's id, a role this operation does "
        "not allow, an admin whose address is not verified, or staff without "
        "the Django permission it needs.",
        "content": {"application/json": {"schema": DETAIL}},
    },
    "404": {
        "description": "No organization has this id (or the item named in the "
        "path is not the organization's).",
        "content": {"application/json": {"schema": DETAIL}},
    },
}


def _add_organization_scope(operation: dict) -> None:
    """What every operation of an OrganizationScopedView shares: its path
    parameter, described, and the refusals the view makes before its
    handler runs. Declared here once, not by each view."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "organization_id":
            parameter["description"] = ORGANIZATION_ID_PARAMETER.description
    responses = operation.setdefault("responses", {})
    for status, response in ORGANIZATION_REFUSALS.items():
        responses.setdefault(status, response)


def add_common_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: see the module docstring."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Detail", DETAIL_SCHEMA
    )
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if path.startswith(ORGANIZATION_PATH):
                _add_organization_scope(operation)
            responses = operation.setdefault("responses", {})
            if (path, method) not in NO_DATABASE:
                responses.setdefault("503", DATABASE_UNAVAILABLE)
            responses.setdefault("400", UNSAFE_INPUT)
            responses.setdefault("414", REQUEST_LINE_TOO_LONG)
            responses.setdefault("431", HEADERS_TOO_LARGE)
            if "requestBody" in operation:
                responses.setdefault("413", TOO_LARGE)
                responses.setdefault("415", UNSUPPORTED_MEDIA_TYPE)
            query = {
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            }
            if "page" in query:
                responses.setdefault("404", NO_SUCH_PAGE)
    return result
