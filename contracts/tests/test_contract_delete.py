"""DELETE /api/v1/contracts/{id}."""

from contracts.models import Contract
from contracts.tests.helpers import detail_url


def test_it_deletes_a_contract(admin_client, slack, organization):
    version = organization.contracts_version

    response = admin_client.delete(detail_url(slack))

    assert response.status_code == 204
    assert not Contract.objects.exists()
    organization.refresh_from_db()
    assert organization.contracts_version > version


def test_it_refuses_members_to_delete(member_client, slack):
    assert member_client.delete(detail_url(slack)).status_code == 403
    assert Contract.objects.filter(pk=slack.pk).exists()


def test_it_refuses_to_delete_another_organizations_contract(outsider_client, slack):
    assert outsider_client.delete(detail_url(slack)).status_code == 404
    assert Contract.objects.filter(pk=slack.pk).exists()


def test_it_requires_authentication_to_delete(anon_client, slack):
    assert anon_client.delete(detail_url(slack)).status_code == 401
    assert Contract.objects.filter(pk=slack.pk).exists()
