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

from procure_site.error_codes import ERROR_CODES

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
# Every error answer: the sentence and its stable code (error_codes.py).
ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_CODE = {"$ref": "#/components/schemas/ErrorCode"}
ERROR_CODE_SCHEMA = {
    "type": "string",
    "enum": [code.value for code in ERROR_CODES],
    "description": "What went wrong, for programs; `detail` says it for people. "
    "docs/api.md lists what each code means.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": ERROR_CODE},
    "required": ["detail", "code"],
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
    "content": {"application/json": {"schema": ERROR}},
}
TOO_LARGE = {
    "description": "The request body is larger than the service accepts.",
    "content": {"application/json": {"schema": ERROR}},
}
UNSAFE_INPUT = {
    "description": "The request could not be used: a NUL character or an "
    "unpaired surrogate in the address or the body, or a body that is not "
    "valid JSON or is nested too deep.",
    "content": {"application/json": {"schema": ERROR}},
}
UNSUPPORTED_MEDIA_TYPE = {
    "description": "The body is not in a media type this operation reads.",
    "content": {"application/json": {"schema": ERROR}},
}
REQUEST_LINE_TOO_LONG = {
    "description": "The request line (address and query string) is longer than "
    "the server accepts.",
    "content": {"application/json": {"schema": ERROR}},
}
HEADERS_TOO_LARGE = {
    "description": "The request headers are larger or more than the server accepts.",
    "content": {"application/json": {"schema": ERROR}},
}
NO_SUCH_PAGE = {
    "description": "No such page, or the page number is not a number.",
    "content": {"application/json": {"schema": ERROR}},
}


ORGANIZATION_PATH = "/api/v1/organizations/{organization_id}/"
ORGANIZATION_REFUSALS = {
    "401": {
        "description": "Not signed in.",
        "content": {"application/json": {"schema": ERROR}},
    },
    "403": {
        "description": "Another organization's id, a role this operation does "
        "not allow, an admin whose address is not verified, or staff without "
        "the Django permission it needs.",
        "content": {"application/json": {"schema": ERROR}},
    },
    "404": {
        "description": "No organization has this id (or the item named in the "
        "path is not the organization's).",
        "content": {"application/json": {"schema": ERROR}},
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


def _error_codes_declared(result: dict) -> None:
    """Every error answer's schema carries `code`: the plain sentence a view
    declares (Detail) becomes Error, and the richer error bodies (rows,
    probes) gain the property."""
    schemas = result["components"]["schemas"]
    with_code = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                for media in response.get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    if ref == DETAIL["$ref"]:
                        media["schema"] = ERROR
                    elif ref:
                        with_code.add(ref.rsplit("/", 1)[-1])
    for name in with_code:
        component = schemas[name]
        component["properties"]["code"] = ERROR_CODE
        if "code" not in component.setdefault("required", []):
            component["required"].append("code")


def add_common_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: see the module docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Detail", DETAIL_SCHEMA)
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ErrorCode", ERROR_CODE_SCHEMA)
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
    _error_codes_declared(result)
    return result
