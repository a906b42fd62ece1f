"""Keeps the cached catalog match table honest.

Every saved or deleted application drops the table (discovery.selectors), so
that the next batch builds it again: at once in this worker, within a minute
in the others. This is cache
invalidation, not domain flow: it catches every write path, the Django admin
included.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from discovery.models import Application
from discovery.selectors import application_table_forget


@receiver(post_save, sender=Application)
@receiver(post_delete, sender=Application)
def _application_changed(sender: type[Application], **kwargs: Any) -> None:
    application_table_forget()
    # Again once the change is committed: another worker that rebuilt the
    # table meanwhile read the catalog as it was before the change, and its
    # table would otherwise stay in the shared cache for a day.
    transaction.on_commit(application_table_forget)
