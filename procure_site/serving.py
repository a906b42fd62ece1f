"""Where the service listens, said the way a person types it into a browser.

gunicorn.conf.py binds to `settings.SERVER_BIND`; the start-up message and
`seed_demo`'s hint turn that bind into a URL with these pure helpers.
"""

# A server bound to every interface is reached locally through loopback.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104


def base_url(bind: str) -> str | None:
    """The http:// URL that reaches a server bound to `bind` ("host:port",
    "[v6]:port" or "unix:/path") from this machine; None for a Unix socket."""
    if bind.startswith("unix:"):
        return None
    host, _, port = bind.rpartition(":")
    if not host and not port.isdigit():
        # gunicorn reads a bind without a colon as a host on port 8000.
        host, port = port, "8000"
    host = host.strip("[]")
    host = _WILDCARDS.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def next_steps(*, base_url: str, admin_url: str) -> str:
    """What a person who has just run `make run` can do next."""
    return "\n".join(
        [
            f"proCure is serving on {base_url}",
            f"  API docs:     {base_url}/docs (OpenAPI schema: {base_url}/api/schema)",
            f"  Django admin: {base_url}/{admin_url}",
            "  In another shell:",
            "    make manage CMD=seed_demo        "
            "# demo organization; prints its admin's email and password",
            "    make manage CMD=createsuperuser  # a staff account for the admin",
        ]
    )
