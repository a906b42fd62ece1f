import hashlib

from django.db import models
from django.db.models.functions import Lower

from accounts.models import Organization, User
from procure_site import clock

# A SCIM token is "scim_" and 43 URL-safe characters (32 random bytes); the
# prefix, its first 12 characters, is what lists and audit events show.
SCIM_TOKEN_PREFIX = "scim_"  # noqa: S105 (a prefix, not a token)
SCIM_TOKEN_SHOWN = 12


def hash_scim_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ScimTokenQuerySet(models.QuerySet["ScimToken"]):
    def live(self) -> "ScimTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token an organization's identity provider calls /scim/v2/
    with. Only its SHA-256 is stored: the token itself is shown once."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=SCIM_TOKEN_SHOWN)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.organization}"


class ScimUser(models.Model):
    """What an organization's identity provider says of a person beyond
    proCure's own fields: its userName and externalId, and the name and
    addresses it sent, as SCIM JSON. A person without one is shown to the
    provider with their address as userName.

    `deleted_at` is set when the provider deletes the person: they are
    deactivated and no longer listed at /scim/v2/Users, and their history
    stays. Provisioning the address again links the same person anew.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="scim"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SCIM person"
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("user_name"),
                condition=models.Q(deleted_at__isnull=True),
                name="scim_user_name_unique_per_organization",
            )
        ]

    def __str__(self) -> str:
        return self.user_name


class OidcProvider(models.Model):
    """The organization's OpenID Connect provider, which its people sign in
    with at /account/sso. The client secret is stored encrypted
    (identity.secrets) and never shown back in full."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="oidc_provider"
    )
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField()
    # The secret's last four characters, to tell it in lists.
    client_secret_hint = models.CharField(max_length=4)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "OpenID Connect provider"

    def __str__(self) -> str:
        return f"{self.issuer} for {self.organization}"
