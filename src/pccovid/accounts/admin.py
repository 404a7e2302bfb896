"""Django admin for system administrators: accounts and roles only.

Persons, households and the audit trail are deliberately absent: a read there would bypass the
jurisdiction check and the audit trail that every other read of personal data goes through.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pccovid.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class OfficialAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
