"""Django admin: the administrative tree can be browsed and searched, not edited.

Units come from the loaders (`pccovid geo load-units`); an edit here would drift from the published
source and break the paths below the unit. The search also serves the role assignment autocomplete.
"""

from django.contrib import admin
from django.http import HttpRequest

from pccovid.geography.models import AdminUnit


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "edition", "level", "path", "population", "population_synthetic"]
    list_filter = ["edition", "level"]
    search_fields = ["code", "name", "name_folded"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AdminUnit | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AdminUnit | None = None) -> bool:
        return False
