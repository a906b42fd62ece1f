from django.contrib import admin
from django.http import HttpRequest

from url_visits.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: activity is only ever written by the extension's reports.

    Superusers may delete rows, e.g. to honour a person's erasure request.
    """

    list_display = ["day", "user", "contract", "organization", "browser"]
    list_filter = ["organization", "contract"]
    date_hierarchy = "day"
    list_select_related = ["user", "contract", "organization"]
    search_fields = ["user__email", "contract__vendor_name"]
    fields = ["user", "contract", "organization", "day", "browser", "first_seen_at"]
    # A full COUNT(*) on every page view is slow on a large table.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Activity | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Activity | None = None
    ) -> bool:
        return request.user.is_superuser
