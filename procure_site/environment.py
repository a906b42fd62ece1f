"""Reading the environment for procure_site/settings.py: django-environ's
reader, and the stricter readers of required values, counts and switches,
each refusing a bad value with a sentence that names the variable."""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def required(name: str) -> str:
    value: str = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set when DEBUG is off."
        )
    return value


def positive_int(name: str, default: int) -> int:
    try:
        value: int = env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from exc
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, got {value}.")
    return value


def flag(name: str, default: bool) -> bool:
    # Stricter than env.bool, which reads any unknown value (a typo such as
    # "ture") as false: a security switch must not turn itself off silently.
    value = env.str(name, default="").strip().lower()
    if not value:
        return default
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")
