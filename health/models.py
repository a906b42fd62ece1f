from django.db import models


class PingProbe(models.Model):
    """A row /ping writes and reads back inside a transaction it rolls back."""

    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"probe at {self.written_at}"
