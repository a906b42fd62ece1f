from django.contrib import admin

from discovery.models import Application, ApplicationMonth


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "category", "domain_list", "updated_at"]
    list_filter = ["category"]
    search_fields = ["name", "vendor", "domains"]
    readonly_fields = ["updated_at"]

    @admin.display(description="domains")
    def domain_list(self, application: Application) -> str:
        domains = application.domains if isinstance(application.domains, list) else []
        return ", ".join(str(domain) for domain in domains)


# Who used what in the open month (ApplicationUser) is deliberately not in
# the admin: only the anonymous counts of closed months are.
@admin.register(ApplicationMonth)
class ApplicationMonthAdmin(admin.ModelAdmin):
    list_display = ["organization", "month", "application", "active_users"]
    list_filter = ["month"]
    list_select_related = ["organization", "application"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
