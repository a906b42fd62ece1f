"""GET /api/v1/contracts/{id}: one contract of the caller's organization."""

from contracts.tests.helpers import detail_url


def test_it_shows_one_contract_to_a_member(member_client, slack):
    response = member_client.get(detail_url(slack))

    assert response.status_code == 200
    assert response.json()["vendor_name"] == "Slack"


def test_it_hides_another_organizations_contract(admin_client, globex_zoom):
    response = admin_client.get(detail_url(globex_zoom))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_hides_a_contract_from_an_outsider(outsider_client, slack):
    assert outsider_client.get(detail_url(slack)).status_code == 404


def test_it_requires_authentication_to_read_one(anon_client, slack):
    assert anon_client.get(detail_url(slack)).status_code == 401


def test_it_refuses_a_member_whose_address_is_unverified(member, member_client, slack):
    type(member).objects.filter(pk=member.pk).update(email_verified_at=None)

    response = member_client.get(f"/api/v1/contracts/{slack.pk}")

    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Verify your email address to see your organization's contracts."
    )
