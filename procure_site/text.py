"""Words for numbers in what commands and pages print."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 digest`, `2 digests`: the count and the noun it agrees with.

    `plural` is for nouns that do not just take an "s" ("1 activity row" does;
    "1 person", "2 people" does not).
    """
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count} {word}"
