from django.urls import path

from organizations.views import domains, invitations, members, rates, settings

PREFIX = "organizations/<str:organization_id>/"

urlpatterns = [
    path(
        PREFIX + "name",
        members.OrganizationNameView.as_view(),
        name="organization-name",
    ),
    path(
        PREFIX + "users",
        members.OrganizationUserListView.as_view(),
        name="organization-users",
    ),
    path(
        PREFIX + "users/<uuid:user_id>",
        members.OrganizationUserView.as_view(),
        name="organization-user",
    ),
    path(
        PREFIX + "users/<uuid:user_id>/deactivate",
        members.OrganizationUserDeactivateView.as_view(),
        name="organization-user-deactivate",
    ),
    path(
        PREFIX + "people/import",
        members.PeopleImportView.as_view(),
        name="organization-people-import",
    ),
    path(
        PREFIX + "domains",
        domains.OrganizationDomainListView.as_view(),
        name="organization-domains",
    ),
    path(
        PREFIX + "domains/<int:domain_id>",
        domains.OrganizationDomainView.as_view(),
        name="organization-domain",
    ),
    path(
        PREFIX + "invitations",
        invitations.OrganizationInvitationListView.as_view(),
        name="organization-invitations",
    ),
    path(
        PREFIX + "invitations/<int:invitation_id>/revoke",
        invitations.OrganizationInvitationRevokeView.as_view(),
        name="organization-invitation-revoke",
    ),
    path(
        PREFIX + "exchange-rates",
        rates.ExchangeRateListView.as_view(),
        name="organization-exchange-rates",
    ),
    path(
        PREFIX + "reclaim-settings",
        settings.ReclaimSettingsView.as_view(),
        name="organization-reclaim-settings",
    ),
    path(
        PREFIX + "tracking",
        settings.TrackingView.as_view(),
        name="organization-tracking",
    ),
    path(
        PREFIX + "discovery",
        settings.DiscoveryView.as_view(),
        name="organization-discovery",
    ),
    path(
        PREFIX + "notifications",
        settings.NotificationSettingsView.as_view(),
        name="organization-notifications",
    ),
    path(
        PREFIX + "notifications/test",
        settings.WebhookTestView.as_view(),
        name="organization-notifications-test",
    ),
]
