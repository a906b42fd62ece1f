"""POST /api/v1/organizations/{organization_id}/notifications/test: a test
message to the webhook, answered with what the receiver said, and the SSRF
refusals of every webhook call."""

import re
import socket

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.errors import ADMINS_ONLY
from alerts.models import NotificationSettings
from alerts.tests.receiver import Answer


def url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/notifications/test"


def use_webhook(organization, webhook_url: str) -> None:
    # Written directly: the settings endpoint already refuses literal
    # private addresses, and these tests are about what sending refuses.
    NotificationSettings.objects.update_or_create(
        organization=organization, defaults={"webhook_url": webhook_url}
    )


@pytest.fixture
def fake_dns(monkeypatch):
    """Names the tests resolve themselves: name -> address."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def test_it_answers_with_what_the_receiver_said(admin_client, organization, receiver):
    use_webhook(organization, receiver.url)

    response = admin_client.post(url(organization))

    assert response.status_code == 200
    assert response.json() == {"delivered": True, "status_code": 200, "response": "ok"}
    [request] = receiver.requests
    assert request.path == "/hooks/digest"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "text": "This is a test message from proCure for Acme: renewal and waste "
        "digests will arrive here.",
        "procure": {"test": True, "company_name": "Acme"},
    }


def test_it_reports_a_refusal_by_the_receiver(admin_client, organization, receiver):
    use_webhook(organization, receiver.url)
    receiver.answer_next(Answer(status=403, body="invalid_token"))

    response = admin_client.post(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "delivered": False,
        "status_code": 403,
        "response": "invalid_token",
    }


def test_it_connects_to_the_address_it_checked_and_names_the_host(
    admin_client, organization, receiver, fake_dns
):
    port = receiver.server.server_address[1]
    fake_dns["hooks.internal.example"] = "127.0.0.1"
    use_webhook(organization, f"http://hooks.internal.example:{port}/x?a=1")

    response = admin_client.post(url(organization))

    assert response.json()["delivered"] is True
    [request] = receiver.requests
    assert request.path == "/x?a=1"
    assert request.headers["Host"] == f"hooks.internal.example:{port}"


def test_it_needs_a_webhook_url(admin_client, organization):
    response = admin_client.post(url(organization))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This organization has no webhook URL: set webhook_url in its "
        "notification settings first.",
        "code": "invalid_request",
    }


def test_it_answers_502_when_the_receiver_cannot_be_reached(
    admin_client, organization, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_webhook(organization, f"http://127.0.0.1:{port}/hook")

    response = admin_client.post(url(organization))

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The webhook at 127.0.0.1 could not be reached "
        "(ConnectionRefusedError).",
        "code": "webhook_unreachable",
    }


def test_it_gives_up_on_a_receiver_that_does_not_answer(
    admin_client, organization, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    # Accepts connections (the backlog) but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        use_webhook(organization, f"http://127.0.0.1:{silent.getsockname()[1]}/")

        response = admin_client.post(url(organization))

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The webhook at 127.0.0.1 did not answer within 1 second.",
        "code": "webhook_unreachable",
    }


@pytest.mark.parametrize(
    ("webhook_url", "detail"),
    [
        (
            "https://127.0.0.1/hook",
            "The webhook URL points to a loopback address, which is not allowed.",
        ),
        (
            "https://10.0.0.1/hook",
            "The webhook URL points to a private network address, which is not "
            "allowed.",
        ),
        (
            "https://169.254.169.254/latest/meta-data/",
            "The webhook URL points to a link-local address (such as the cloud "
            "metadata service), which is not allowed.",
        ),
        (
            "https://[::ffff:127.0.0.1]/hook",
            "The webhook URL points to a loopback address, which is not allowed.",
        ),
        ("http://hooks.example.com/hook", "The webhook URL must start with https://."),
    ],
)
def test_it_refuses_addresses_of_the_private_network(
    admin_client, organization, webhook_url, detail
):
    use_webhook(organization, webhook_url)

    response = admin_client.post(url(organization))

    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "invalid_request"}


def test_it_refuses_a_name_that_resolves_to_loopback(
    admin_client, organization, fake_dns, another_receiver
):
    port = another_receiver.server.server_address[1]
    fake_dns["hooks.attacker.example"] = "127.0.0.1"
    # A name passes the settings endpoint; it is checked once resolved.
    assert (
        admin_client.put(
            f"/api/v1/organizations/{organization.public_id}/notifications",
            {
                "email_digest": "weekly",
                "renewal_window_days": 30,
                "webhook_url": f"https://hooks.attacker.example:{port}/hook",
            },
            format="json",
        ).status_code
        == 200
    )

    response = admin_client.post(url(organization))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The webhook host hooks.attacker.example resolves to a loopback "
        "address, which is not allowed.",
        "code": "invalid_request",
    }
    assert another_receiver.requests == []


def test_it_refuses_localhost(admin_client, organization, another_receiver):
    port = another_receiver.server.server_address[1]
    use_webhook(organization, f"https://localhost:{port}/hook")

    response = admin_client.post(url(organization))

    assert response.status_code == 400
    assert "resolves to a loopback address" in response.json()["detail"]
    assert another_receiver.requests == []


def test_it_never_follows_a_redirect(
    admin_client, organization, receiver, another_receiver
):
    use_webhook(organization, receiver.url)
    receiver.answer_next(
        Answer(status=302, body="", headers={"Location": "http://10.0.0.1/admin"})
    )

    response = admin_client.post(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "delivered": False,
        "status_code": 302,
        "response": "Redirect to http://10.0.0.1/admin not followed: point the "
        "webhook at the final URL.",
    }
    assert len(receiver.requests) == 1


def test_it_refuses_another_organizations_admin(
    outsider_client, organization, receiver
):
    use_webhook(organization, receiver.url)

    response = outsider_client.post(url(organization))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own organization.",
        "code": "other_organization",
    }
    assert receiver.requests == []


def test_it_refuses_a_member(member_client, organization, receiver):
    use_webhook(organization, receiver.url)

    response = member_client.post(url(organization))

    assert response.status_code == 403
    assert response.json() == {"detail": ADMINS_ONLY, "code": "admins_only"}
    assert receiver.requests == []


def test_it_limits_test_messages(admin_client, organization, receiver, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"webhook_test": "2/hour"}
    )
    use_webhook(organization, receiver.url)

    answers = [admin_client.post(url(organization)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert re.fullmatch(
        r"Too many requests\. Try again in \d+ seconds\.", answers[2].json()["detail"]
    )
    assert len(receiver.requests) == 2
