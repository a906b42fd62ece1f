"""Keeps the cached catalog match table honest.

Every saved or deleted application drops the table (discovery.selectors), so
that the next batch of every worker builds it again. This is cache
invalidation, not domain flow: it catches every write path, the Django admin
included.
"""

from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from discovery.models import Application
from discovery.selectors import APPLICATION_TABLE_DIGEST_KEY, APPLICATION_TABLE_KEY


@receiver(post_save, sender=Application)
@receiver(post_delete, sender=Application)
def _application_changed(sender: type[Application], **kwargs: Any) -> None:
    cache.delete_many([APPLICATION_TABLE_KEY, APPLICATION_TABLE_DIGEST_KEY])
