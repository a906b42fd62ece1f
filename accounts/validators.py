import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.errors import PasswordRejected
from accounts.models import User


class PasswordCompositionValidator:
    """Requires an upper-case letter, a lower-case letter and a digit."""

    rules = (
        (r"[A-Z]", "Password must contain at least one upper-case letter."),
        (r"[a-z]", "Password must contain at least one lower-case letter."),
        (r"[0-9]", "Password must contain at least one number."),
    )

    def validate(self, password: str, user=None) -> None:
        errors = [
            ValidationError(message, code="password_composition")
            for pattern, message in self.rules
            if not re.search(pattern, password)
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return (
            "Your password must contain an upper-case letter, a lower-case "
            "letter and a number."
        )


def password_check(
    *, password: str, user: User | None = None, field: str = "password"
) -> None:
    """Raises PasswordRejected on `field` naming every rule `password` breaks."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise PasswordRejected(field=field, messages=list(exc.messages)) from None
