from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "time_zone"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "middle_name", "role", "school", "is_active"]
    list_filter = ["role", "school", "is_active"]
    search_fields = ["username", "last_name", "first_name", "middle_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Персональные данные"), {"fields": ("last_name", "first_name", "middle_name", "email", "phone")}),
        (_("Школа и роль"), {"fields": ("school", "role")}),
        (_("Права"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Персональные данные"), {"fields": ("last_name", "first_name", "middle_name", "email", "phone")}),
        (_("Школа и роль"), {"fields": ("school", "role")}),
    )


class ParentChildInline(admin.TabularInline):
    """Read-only here: links are made in «Связи родителей и детей», through the service that grants access."""

    model = ParentChild
    extra = 0
    can_delete = False
    fields = readonly_fields = ["parent", "pupil", "kind"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PupilProfile)
class PupilProfileAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "date_of_birth", "sex"]
    search_fields = ["user__last_name", "user__first_name", "user__username"]
    list_select_related = ["user"]
    inlines = [ParentChildInline]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        # Through the service, so the pupil gets the right to their own diary.
        created = services.pupil_profile_create(
            actor=request.user, user=obj.user, date_of_birth=obj.date_of_birth, sex=obj.sex
        )
        obj.pk = created.pk


@admin.register(ParentProfile)
class ParentProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
    search_fields = ["user__last_name", "user__first_name", "user__username"]
    list_select_related = ["user"]
    inlines = [ParentChildInline]


@admin.register(ParentChild)
class ParentChildAdmin(SimpleHistoryAdmin):
    """Links go through the services so that the parent's access to the child is granted and revoked with them."""

    list_display = ["parent", "pupil", "kind"]
    list_select_related = ["parent__user", "pupil__user"]
    autocomplete_fields = ["parent", "pupil"]

    def get_readonly_fields(self, request, obj=None):
        return ["parent", "pupil"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["kind"])
            return
        link = services.parent_link(actor=request.user, parent=obj.parent, pupil=obj.pupil, kind=obj.kind)
        obj.pk = link.pk

    def delete_model(self, request, obj):
        services.parent_unlink(actor=request.user, link=obj)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.parent_unlink(actor=request.user, link=link)


@admin.register(PupilUserObjectPermission)
class PupilUserObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    list_select_related = ["user", "permission", "content_object__user"]
    raw_id_fields = ["user", "content_object"]
