"""Staff can do in the Django admin what their permissions say, and no more:
every action needs the permission it declares, and only a superuser changes a
superuser or another staff account. A password or address staff set for
someone ends that person's sessions and is audited. Each test reproduces an
attack from the security review (issue 21)."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory

from accounts.models import DeviceToken, Role, User
from accounts.services.sessions import device_token_issue
from accounts.tests.factories import OrganizationFactory, UserFactory
from accounts.tests.helpers import change_form
from audit.models import AuditAction, AuditEvent
from conftest import grant

ADMIN = "/" + settings.ADMIN_URL
USERS = f"{ADMIN}accounts/user/"
ROOT_PASSWORD = "Sup3rSecret!"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@procure.example", ROOT_PASSWORD)


def staff_with(*permissions: str) -> User:
    user = UserFactory(organization=None, is_staff=True, email="eve@procure.example")
    return grant(user, *permissions)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def device_token_works(user: User) -> bool:
    return DeviceToken.objects.live().filter(user=user).exists()


@pytest.fixture
def beta_admin(db):
    beta = OrganizationFactory(domain_name="beta.io", company_name="Beta")
    return UserFactory(organization=beta, role=Role.ADMIN, email="bea@beta.io")


def test_it_offers_no_action_to_staff_who_may_only_view(db, root):
    """Every action of every registered admin, for a staff user who may view
    that model and nothing else."""
    factory = RequestFactory()
    checked, offered_to_viewers = 0, {}
    for model, model_admin in admin.site._registry.items():
        as_root = factory.get("/")
        as_root.user = root
        offered = set(model_admin.get_actions(as_root))
        view = Permission.objects.get(
            content_type__app_label=model._meta.app_label,
            codename=f"view_{model._meta.model_name}",
        )
        viewer = UserFactory(organization=None, is_staff=True)
        viewer.user_permissions.add(view)
        viewer = User.objects.get(pk=viewer.pk)
        as_viewer = factory.get("/")
        as_viewer.user = viewer

        if model_admin.get_actions(as_viewer):
            offered_to_viewers[model._meta.label] = sorted(
                model_admin.get_actions(as_viewer)
            )
        checked += len(offered)

    assert offered_to_viewers == {}
    # The walk did meet actions: the users', the tokens' and the invitations'.
    assert checked >= 7


def test_it_refuses_a_role_change_to_staff_who_may_only_view_users(admin_user):
    UserFactory(organization=admin_user.organization, role=Role.ADMIN)
    viewer = signed_in(staff_with("accounts.view_user"))

    viewer.post(USERS, {"action": "make_member", "_selected_action": [admin_user.pk]})

    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN
    assert not AuditEvent.objects.filter(action=AuditAction.USER_ROLE_CHANGED)


def test_it_refuses_a_token_revocation_to_staff_who_may_only_view_tokens(beta_admin):
    device_token_issue(user=beta_admin, device_id="laptop")
    token = DeviceToken.objects.get(user=beta_admin)
    viewer = signed_in(staff_with("accounts.view_devicetoken"))

    viewer.post(
        f"{ADMIN}accounts/devicetoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert DeviceToken.objects.live().filter(pk=token.pk).exists()


def test_it_refuses_staff_the_password_of_a_superuser(root):
    support = signed_in(staff_with("accounts.view_user", "accounts.change_user"))

    response = support.post(
        f"{USERS}{root.pk}/password/",
        {"password1": "Taken0ver!x", "password2": "Taken0ver!x"},
    )

    assert response.status_code == 403
    assert User.objects.get(pk=root.pk).check_password(ROOT_PASSWORD)
    login = Client().post(
        f"{ADMIN}login/", {"username": root.email, "password": "Taken0ver!x"}
    )
    assert login.status_code == 200  # the form again, not a redirect inside


def test_it_refuses_staff_the_change_form_of_another_staff_account(db):
    other = UserFactory(organization=None, is_staff=True, email="ops@procure.example")
    support = signed_in(staff_with("accounts.view_user", "accounts.change_user"))

    response = support.post(
        f"{USERS}{other.pk}/change/",
        change_form(other, email="eve2@procure.example", is_active=""),
    )

    assert response.status_code == 403
    unchanged = User.objects.get(pk=other.pk)
    assert unchanged.email == "ops@procure.example"
    assert unchanged.is_active


def test_it_lets_a_superuser_change_a_staff_account(root):
    other = UserFactory(organization=None, is_staff=True, email="ops@procure.example")

    response = signed_in(root).post(
        f"{USERS}{other.pk}/change/",
        change_form(other, email="ops2@procure.example", is_staff="on"),
    )

    assert response.status_code == 302
    assert User.objects.get(pk=other.pk).email == "ops2@procure.example"


def test_it_refuses_to_move_an_admin_to_another_domain(beta_admin):
    device_token_issue(user=beta_admin, device_id="laptop")
    support = signed_in(staff_with("accounts.view_user", "accounts.change_user"))

    response = support.post(
        f"{USERS}{beta_admin.pk}/change/",
        change_form(beta_admin, email="attacker@evil.example"),
        follow=True,
    )

    assert (
        # The admin capitalizes each message.
        "Attacker@evil.example is not an address at beta.io, the domain of Beta."
        in response.content.decode()
    )
    beta_admin.refresh_from_db()
    assert beta_admin.email == "bea@beta.io"
    assert beta_admin.email_verified
    assert device_token_works(beta_admin)


def test_it_unverifies_and_signs_out_a_person_whose_address_staff_change(beta_admin):
    device_token_issue(user=beta_admin, device_id="laptop")
    staff = staff_with("accounts.view_user", "accounts.change_user")

    response = signed_in(staff).post(
        f"{USERS}{beta_admin.pk}/change/",
        change_form(beta_admin, email="Bea.Smith@beta.io"),
    )

    assert response.status_code == 302
    beta_admin.refresh_from_db()
    assert beta_admin.email == "bea.smith@beta.io"
    assert not beta_admin.email_verified
    assert not device_token_works(beta_admin)
    event = AuditEvent.objects.get(action=AuditAction.USER_EMAIL_CHANGED)
    assert (event.actor, event.target) == (staff, "bea.smith@beta.io")
    assert event.details == {"from": "bea@beta.io", "to": "bea.smith@beta.io"}


def test_it_signs_out_a_person_whose_password_staff_set(beta_admin):
    device_token_issue(user=beta_admin, device_id="laptop")
    staff = staff_with("accounts.view_user", "accounts.change_user")

    response = signed_in(staff).post(
        f"{USERS}{beta_admin.pk}/password/",
        {"password1": "N3wPassw0rd!", "password2": "N3wPassw0rd!"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=beta_admin.pk).check_password("N3wPassw0rd!")
    assert not device_token_works(beta_admin)
    event = AuditEvent.objects.get(action=AuditAction.USER_PASSWORD_SET)
    assert (event.actor, event.target) == (staff, "bea@beta.io")


def test_it_refuses_staff_an_action_on_a_superuser(root):
    device_token_issue(user=root, device_id="laptop")
    support = signed_in(staff_with("accounts.view_user", "accounts.change_user"))

    response = support.post(
        USERS,
        {"action": "sign_out_everywhere", "_selected_action": [root.pk]},
        follow=True,
    )

    assert "Root@procure.example: only a superuser may change" in (
        response.content.decode()
    )
    assert device_token_works(root)
