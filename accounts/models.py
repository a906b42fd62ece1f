import hashlib
import secrets
import string
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from procure_site import clock

BASE62 = string.digits + string.ascii_letters
PUBLIC_ID_PREFIX = "org_"
PUBLIC_ID_LENGTH = 32


def new_organization_public_id() -> str:
    return PUBLIC_ID_PREFIX + "".join(
        secrets.choice(BASE62) for _ in range(PUBLIC_ID_LENGTH)
    )


domain_name_validator = RegexValidator(
    regex=r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    message="Enter a lower-case domain name such as acme.io.",
)


class Organization(models.Model):
    public_id = models.CharField(
        max_length=len(PUBLIC_ID_PREFIX) + PUBLIC_ID_LENGTH,
        unique=True,
        default=new_organization_public_id,
        editable=False,
    )
    domain_name = models.CharField(
        max_length=253, unique=True, validators=[domain_name_validator]
    )
    company_name = models.CharField(max_length=200)
    admin_seats = models.PositiveIntegerField(default=1)
    member_seats = models.PositiveIntegerField(default=1000)
    # While paused, url-visits stores nothing for the organization.
    tracking_paused = models.BooleanField(default=False)
    # ISO 4217: the currency totals are reported in (contracts/currencies.py).
    reporting_currency = models.CharField(max_length=3, default="USD")
    # Shadow-IT discovery (the discovery app): opt-in, and an application is
    # reported only once at least `discovery_min_users` people used it in a
    # month. Kept on this row, which comes with every authenticated request,
    # so that ingestion learns that discovery is off without a query.
    discovery_enabled = models.BooleanField(default=False)
    discovery_min_users = models.PositiveSmallIntegerField(default=3)
    # How many days a person asked about a seat (the reclaims app) has to
    # answer before their seat counts as unanswered.
    reclaim_reply_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days a person has to answer whether they still need a seat "
        "(1 to 60).",
    )
    # Off once the organization's people sign in with its identity provider
    # only (identity.OidcProvider): password sign-in then answers 403.
    password_sign_in = models.BooleanField(default=True)
    # Bumped whenever one of the organization's contracts changes, so that a
    # cached host-matching table keyed by it is never stale in any worker.
    contracts_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain_name"]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.domain_name})"

    def clean(self) -> None:
        # The staff console's form: a domain belongs to one organization, as
        # its first domain or as another (OrganizationDomain).
        super().clean()
        claim = (
            OrganizationDomain.objects.claiming(self.domain_name)
            .exclude(organization_id=self.pk)
            .first()
        )
        if claim is not None:
            raise ValidationError({"domain_name": domain_claimed_sentence(claim)})


class OrganizationDomainQuerySet(models.QuerySet["OrganizationDomain"]):
    def claiming(self, domain: str) -> "OrganizationDomainQuerySet":
        """The request of any organization for `domain`, verified or not."""
        return self.filter(domain=domain.strip().lower()).select_related("organization")


def domain_claimed_sentence(claim: "OrganizationDomain") -> str:
    """Why `claim.domain` cannot be another organization's first domain."""
    state = "verified" if claim.verified else "waiting for staff to verify it"
    return (
        f"{claim.domain} has already been asked for by "
        f"{claim.organization.company_name} ({state}); remove it there first "
        "(the admin's Organization domains) to give it an organization of its own."
    )


class OrganizationDomain(models.Model):
    """Another email domain of an organization (a second brand, a
    subsidiary): once verified, people with an address there sign up into
    it, are invited to it and are provisioned into it, as at `domain_name`,
    the organization's first domain. An admin asks for one; staff verify it
    after checking that the company owns it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(
        max_length=253, unique=True, validators=[domain_name_validator]
    )
    requested_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    # Null while the request waits for staff.
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Email addresses are case-insensitive in proCure, so they are stored
        # lower-case and compared lower-case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The team the person works in, for spend by department; blank for none.
    department = models.CharField(max_length=100, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=clock.now)
    # Null until the person follows the verification link sent at sign-up.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    @property
    def is_org_admin(self) -> bool:
        return self.organization_id is not None and self.role == Role.ADMIN

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


def hash_device_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class DeviceTokenQuerySet(models.QuerySet):
    def live(self) -> "DeviceTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class DeviceToken(models.Model):
    """The extension's long-lived credential. Only a SHA-256 of the token is kept."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="device_tokens"
    )
    device_id = models.CharField(max_length=200)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "device_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="device_token_one_live_per_device",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.device_id}"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked, and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=clock.now(),
        )


class Invitation(models.Model):
    """An emailed invitation to join an organization in a role. Its link works
    once, until `expires_at`, unless revoked; accepting it creates the account
    with the address verified."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Given to the account the invitation creates.
    department = models.CharField(max_length=100, blank=True, default="")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} of {self.organization}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= clock.now():
            return "expired"
        return "pending"
