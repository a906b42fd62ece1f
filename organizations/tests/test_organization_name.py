import pytest

from analytics.tests.helpers import analytics_url
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL


def test_it_returns_the_organization_name_to_a_member(member_client, organization):
    response = member_client.get(analytics_url(organization, "name"))
    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "domain_name": "acme.io",
        "company_name": "Acme",
    }


@pytest.mark.parametrize("client_name", ["admin_client", "staff_client"])
def test_it_returns_the_organization_name_to_admins_and_staff(
    request, client_name, organization
):
    client = request.getfixturevalue(client_name)
    response = client.get(analytics_url(organization, "name"))
    assert response.status_code == 200
    assert response.json()["organization_id"] == organization.public_id


def test_it_refuses_another_organization(outsider_client, organization):
    response = outsider_client.get(analytics_url(organization, "name"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own organization.",
        "code": "other_organization",
    }


def test_it_answers_404_for_an_unknown_id(member_client):
    response = member_client.get(analytics_url("org_doesnotexist", "name"))
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No organization has the id org_doesnotexist.",
        "code": "not_found",
    }


def test_it_requires_authentication(anon_client, organization):
    response = anon_client.get(analytics_url(organization, "name"))
    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }


def test_it_answers_without_a_trailing_slash_redirect(member_client, organization):
    response = member_client.get(analytics_url(organization, "name"))
    assert response.status_code == 200
    assert "Location" not in response


def test_it_costs_two_queries(member_client, organization, django_assert_num_queries):
    # One to authenticate, one for the organization.
    with django_assert_num_queries(2):
        response = member_client.get(analytics_url(organization, "name"))
    assert response.status_code == 200
