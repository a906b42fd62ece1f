"""The browser names activity may record: an allow-list, never client text.

The extension reports its browser as free text; stored as sent, it could
carry a URL with its path and query (a privacy leak the client decides).
Only a name of this list is kept, matched without regard to case or
surrounding spaces; anything else becomes "Other". Pure, no database.
"""

DEFAULT_BROWSER = "Chrome"
OTHER_BROWSER = "Other"

# The names as recorded, and the spellings that mean each.
BROWSER_NAMES: dict[str, tuple[str, ...]] = {
    "Chrome": ("chrome", "google chrome"),
    "Chromium": ("chromium",),
    "Edge": ("edge", "microsoft edge"),
    "Firefox": ("firefox", "mozilla firefox"),
    "Safari": ("safari",),
    "Opera": ("opera",),
    "Brave": ("brave",),
    "Vivaldi": ("vivaldi",),
    "Arc": ("arc",),
    "Samsung Internet": ("samsung internet",),
    "Yandex": ("yandex", "yandex browser"),
}

_BY_SPELLING = {
    spelling: name
    for name, spellings in BROWSER_NAMES.items()
    for spelling in spellings
}


def browser_name(value: object) -> str:
    """The name recorded for a reported browser.

    Missing or blank means the extension's default, Chrome (older versions
    of the extension send nothing); a known name its canonical spelling;
    anything else "Other".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_BROWSER
    if not isinstance(value, str):
        return OTHER_BROWSER
    return _BY_SPELLING.get(" ".join(value.split()).lower(), OTHER_BROWSER)
