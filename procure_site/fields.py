"""Serializer fields whose refusals say what to send instead."""

from typing import Any

from rest_framework import serializers


class ChoiceField(serializers.ChoiceField):
    """DRF's ChoiceField, whose refusal lists the values it accepts.

    DRF's own sentence, '"daily" is not a valid choice.', leaves the reader
    to guess the valid ones.
    """

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        super().__init__(choices, **kwargs)
        valid = ", ".join(str(key) for key in self.choices)
        # The message is formatted with the input later; braces in a choice
        # must not be read as a placeholder.
        valid = valid.replace("{", "{{").replace("}", "}}")
        self.error_messages["invalid_choice"] = (
            f'"{{input}}" is not a valid choice. Send one of: {valid}.'
        )
