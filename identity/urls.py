from django.urls import path

from identity import views

PREFIX = "organizations/<str:organization_id>/"

urlpatterns = [
    path(
        PREFIX + "identity-provider",
        views.IdentityProviderView.as_view(),
        name="organization-identity-provider",
    ),
    path(
        PREFIX + "scim-tokens",
        views.ScimTokenListView.as_view(),
        name="organization-scim-tokens",
    ),
    path(
        PREFIX + "scim-tokens/<int:token_id>/revoke",
        views.ScimTokenRevokeView.as_view(),
        name="organization-scim-token-revoke",
    ),
]
