import re

from django.core.exceptions import ValidationError


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
