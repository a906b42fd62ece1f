"""Keeps cached host-matching tables honest.

Every saved or deleted contract bumps its organization's `contracts_version`,
which is part of the match table's cache key (url_visits/matching.py). This
is cache invalidation, not domain flow: it catches every write path, the
Django admin included. Bulk writes that skip signals (bulk_create, update())
must call `organization_contracts_changed` themselves.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Organization
from contracts.models import Contract


def organization_contracts_changed(*, organization_id: int) -> None:
    Organization.objects.filter(pk=organization_id).update(
        contracts_version=F("contracts_version") + 1
    )


@receiver(post_save, sender=Contract)
@receiver(post_delete, sender=Contract)
def _contract_changed(sender, instance: Contract, **kwargs) -> None:
    organization_contracts_changed(organization_id=instance.organization_id)
