from django.contrib import admin

from pccovid.rules.models import RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    """Rule sets are read here; a new version is added, an old one is never edited (decisions cite it)."""

    list_display = ["domain", "version", "effective_from", "source"]
    list_filter = ["domain"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
