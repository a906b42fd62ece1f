from django.db import models


class PingProbe(models.Model):
    """A row /ping writes and reads back inside a transaction it rolls back."""

    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"probe at {self.written_at}"


class CacheEntry(models.Model):
    """A row of Django's database cache (the default cache, CACHE_URL
    dbcache://procure_cache): the table `createcachetable` would make, made by
    a migration so that `migrate` alone sets a database up. Django's cache
    reads and writes it with its own SQL; nothing else should."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "procure_cache"

    def __str__(self) -> str:
        return self.cache_key
