"""The API's one body parser: JSON, checked before any view sees it.

Every request body the API reads goes through `JSONBodyParser` (the contracts
import alone also takes multipart, for its file). A body that is not UTF-8,
not JSON, nested deeper than `MAX_JSON_DEPTH`, or that holds a string with a
NUL character or a lone surrogate anywhere (keys included) is refused with a
400 whose `detail` says what to fix. No such string then reaches a model,
the database or a renderer, whichever field it was sent in.

The JSON library is called in one place, `_decode`, so that it can be
swapped for a faster one without touching the checks.
"""

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from procure_site.error_codes import ErrorCode

# Deeper than any request of the API needs (url-visits is three levels), far
# below where a recursive reader of the data could run out of stack.
MAX_JSON_DEPTH = 32

# A NUL (which PostgreSQL refuses in text) or a UTF-16 surrogate code point:
# a valid pair in the JSON text becomes one character when decoded, so any
# surrogate left in a Python string stood alone and cannot be encoded.
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")

NOT_UTF8 = "The request body is not valid UTF-8. Send JSON encoded as UTF-8."
NOT_JSON = "The request body could not be parsed. Send valid JSON."
TOO_DEEP = (
    f"The request body is nested more than {MAX_JSON_DEPTH} levels deep. "
    "Send the flat JSON objects the API documents."
)
UNSAFE_TEXT = (
    "The request body contains a NUL character or an unpaired surrogate "
    "({where}). Remove it and send the request again."
)


class BodyRejected(ParseError):
    """A body the API will not read; its detail is a sentence of ours."""

    def __init__(
        self, detail: str, *, code: ErrorCode = ErrorCode.MALFORMED_BODY
    ) -> None:
        super().__init__(detail)
        self.error_code = code


def has_unsafe_characters(text: str) -> bool:
    """True when `text` holds a NUL character or a lone surrogate."""
    return UNSAFE_CHARACTERS.search(text) is not None


def _decode(text: str) -> Any:
    def refuse_constant(name: str) -> None:
        # NaN and Infinity are not JSON, whatever Python's reader accepts.
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse_constant)


def _where(path: str) -> str:
    return f"in {path}" if path else "in the body"


_CONTAINERS = (dict, list)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests containers more than `limit` levels deep; walks
    the containers only, with an explicit stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            # A tuple, not `dict | list`: isinstance with a union is slower,
            # and this runs for every value of every body.
            if isinstance(child, _CONTAINERS):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def check_json_text(text: str, value: Any) -> None:
    """Refuses the value decoded from `text` when it is too deep or holds
    unsafe text.

    A decoded string can hold a NUL or a lone surrogate only if the text
    spelled it as a \\u escape: the reader refuses raw control characters,
    and valid UTF-8 cannot carry a surrogate. Without any \\u in the text,
    as in nearly every body, only the depth is checked, over the containers;
    otherwise every string is looked at too.
    """
    if "\\u" in text:
        check_json_value(value)
    elif isinstance(value, dict | list) and _deeper_than(value, MAX_JSON_DEPTH):
        raise BodyRejected(TOO_DEEP)


def check_json_value(value: Any) -> None:
    """Refuses a decoded JSON value that is too deep or holds unsafe text.

    Walks with an explicit stack, so that the check itself cannot recurse
    too deep whatever the input.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if has_unsafe_characters(item):
                raise BodyRejected(
                    UNSAFE_TEXT.format(where=_where(path)), code=ErrorCode.UNSAFE_INPUT
                )
            continue
        if not isinstance(item, Mapping | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BodyRejected(TOO_DEEP)
        if isinstance(item, Mapping):
            for key, child in item.items():
                if has_unsafe_characters(key):
                    raise BodyRejected(
                        UNSAFE_TEXT.format(where="a key of " + (path or "the body")),
                        code=ErrorCode.UNSAFE_INPUT,
                    )
                stack.append((child, f"{path}.{key}" if path else key, depth + 1))
        else:
            for index, child in enumerate(item):
                stack.append((child, f"{path}[{index}]", depth + 1))


class JSONBodyParser(BaseParser):
    """JSON bodies, refused with a sentence of ours when they cannot be used."""

    media_type = "application/json"

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyRejected(NOT_UTF8) from None
        try:
            value = _decode(text)
        except RecursionError:
            raise BodyRejected(TOO_DEEP) from None
        except ValueError:
            raise BodyRejected(NOT_JSON) from None
        check_json_text(text, value)
        return value
