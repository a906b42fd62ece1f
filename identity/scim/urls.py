from django.urls import path, re_path

from identity.scim import views

urlpatterns = [
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view()),
    path("ResourceTypes", views.ResourceTypesView.as_view()),
    path("ResourceTypes/<str:name>", views.ResourceTypesView.as_view()),
    path("Schemas", views.SchemasView.as_view()),
    path("Schemas/<str:schema_id>", views.SchemasView.as_view()),
    path("Users", views.UsersView.as_view(), name="scim-users"),
    path("Users/.search", views.UsersSearchView.as_view()),
    path("Users/<str:person_id>", views.UserView.as_view(), name="scim-user"),
    path(".search", views.RootSearchView.as_view()),
    re_path(r"^(?P<path>.*)$", views.UnknownView.as_view()),
]
