from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    CalendarDay,
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
    Vacation,
)


class GradeSettingsInline(admin.TabularInline):
    model = GradeSettings
    extra = 0


class StudyPeriodInline(admin.TabularInline):
    model = StudyPeriod
    extra = 0


class VacationInline(admin.TabularInline):
    model = Vacation
    extra = 0


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "start_date", "end_date", "status"]
    list_filter = ["school", "status"]
    inlines = [GradeSettingsInline, StudyPeriodInline, VacationInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "grade_from", "grade_to", "year"]
    list_filter = ["year", "kind"]
    date_hierarchy = "date"


@admin.register(GradeSettings)
class GradeSettingsAdmin(admin.ModelAdmin):
    list_display = ["year", "grade", "days_per_week", "period_kind"]
    list_filter = ["year"]


@admin.register(StudyPeriod)
class StudyPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "start_date", "end_date"]
    list_filter = ["year", "kind"]


@admin.register(Vacation)
class VacationAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "start_date", "end_date", "grade_from", "grade_to"]
    list_filter = ["year"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "order", "school"]
    list_filter = ["school"]
    search_fields = ["name"]


class CurriculumInline(admin.TabularInline):
    model = CurriculumEntry
    extra = 0


class SubgroupInline(admin.TabularInline):
    model = Subgroup
    extra = 0
    fields = ["name"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "class_teacher"]
    list_filter = ["year", "grade"]
    list_select_related = ["year", "class_teacher"]
    search_fields = ["letter"]
    inlines = [CurriculumInline, SubgroupInline]

    def save_model(self, request, obj, form, change):
        # The class teacher's access moves with the appointment, so it goes through the service.
        teacher = obj.class_teacher
        if change and "class_teacher" in form.changed_data:
            obj.class_teacher_id = form.initial.get("class_teacher")
            obj.save()
            services.class_teacher_set(actor=request.user, school_class=obj, teacher=teacher)
            return
        obj.class_teacher = None
        obj.save()
        if teacher is not None:
            services.class_teacher_set(actor=request.user, school_class=obj, teacher=teacher)


@admin.register(Subgroup)
class SubgroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school_class"]
    list_filter = ["school_class__year"]
    filter_horizontal = ["pupils"]


@admin.register(CurriculumEntry)
class CurriculumEntryAdmin(admin.ModelAdmin):
    list_display = ["school_class", "subject", "hours_per_week", "is_pass_fail", "split_into_subgroups"]
    list_filter = ["school_class__year", "school_class__grade"]
    list_select_related = ["school_class", "subject"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["teacher", "subject", "school_class", "subgroup", "hours_per_week"]
    list_filter = ["year", "school_class__grade", "subject"]
    list_select_related = ["teacher", "subject", "school_class", "subgroup"]
    search_fields = ["teacher__last_name", "subject__name"]
    raw_id_fields = ["teacher"]

    def save_model(self, request, obj, form, change):
        # The teacher's access to the journal is granted and revoked by the services.
        if not change:
            created = services.assignment_create(
                actor=request.user,
                school_class=obj.school_class,
                subject=obj.subject,
                teacher=obj.teacher,
                hours_per_week=obj.hours_per_week,
                subgroup=obj.subgroup,
            )
            obj.pk = created.pk
            return
        if "teacher" in form.changed_data:
            new_teacher = obj.teacher
            obj.teacher_id = form.initial["teacher"]
            obj.save()
            services.assignment_teacher_change(actor=request.user, assignment=obj, teacher=new_teacher)
            return
        obj.save()


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    list_display = ["pupil", "school_class", "date_from", "date_to"]
    list_filter = ["school_class__year", "school_class"]
    list_select_related = ["pupil__user", "school_class"]
    raw_id_fields = ["pupil"]


@admin.register(TeachingAssignmentUserObjectPermission)
class TeachingAssignmentPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    raw_id_fields = ["user", "content_object"]


@admin.register(SchoolClassUserObjectPermission)
class SchoolClassPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    raw_id_fields = ["user", "content_object"]
