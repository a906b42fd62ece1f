"""scim2-tester, the SCIM conformance checker, against /scim/v2/ on a live
server: it reads the discovery endpoints, then creates, reads, lists,
searches, replaces, patches and deletes Users as an identity provider
would, and checks each answer against RFC 7643/7644."""

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from identity.services.tokens import scim_token_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_scim2_tester_passes_against_the_live_server(
    live_server, organization, admin_user
):
    raw = scim_token_create(
        organization=organization, name="scim2-tester", actor=admin_user
    ).raw
    # One request per connection: a kept-alive connection would leave the
    # live server's thread reading when the test ends.
    with httpx2.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {raw}", "Connection": "close"},
        timeout=30,
    ) as http:
        results = check_server(SyncSCIMClient(http))

    print(f"scim2-tester: {len(results)} checks")
    for result in results:
        print(f"  {result.status.name:10} {result.title}: {result.reason}")
    not_passed = [
        f"{result.status.name} {result.title}: {result.reason}"
        for result in results
        if result.status != Status.SUCCESS
    ]
    assert not_passed == []
    titles = {result.title for result in results}
    # Discovery, every CRUD verb, attribute selection, search and PATCH ran.
    assert {
        "service_provider_config_endpoint",
        "query_all_schemas",
        "query_all_resource_types",
        "object_creation",
        "object_query_without_id",
        "object_list_with_attributes",
        "search_with_attributes",
        "object_replacement",
        "object_deletion",
        "check_add_attribute",
        "check_remove_attribute",
        "check_replace_attribute",
        "random_url",
    } <= titles
