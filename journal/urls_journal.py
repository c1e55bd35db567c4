"""URL patterns of the class journal (journal), added to the journal namespace by journal/urls.py."""

from django.urls import path

from .views import absences, period_marks, plan, substitution

# --- КТП, period marks, substitutions, absences (ENGINEER 3) ---------------------------------------------------------
urlpatterns: list = [
    # the calendar-thematic plan of an assignment
    path("assignments/<int:pk>/plan/", plan.plan, name="plan"),
    path("assignments/<int:pk>/plan/add/", plan.plan_topic_add, name="plan_topic_add"),
    path("assignments/<int:pk>/plan/<int:topic_pk>/edit/", plan.plan_topic_edit, name="plan_topic_edit"),
    path("assignments/<int:pk>/plan/<int:topic_pk>/remove/", plan.plan_topic_remove, name="plan_topic_remove"),
    path("assignments/<int:pk>/plan/<int:topic_pk>/move/", plan.plan_topic_move, name="plan_topic_move"),
    path("assignments/<int:pk>/plan/import/", plan.plan_import, name="plan_import"),
    path("assignments/<int:pk>/plan/import/preview/", plan.plan_import_preview, name="plan_import_preview"),
    path("assignments/<int:pk>/plan/import/confirm/", plan.plan_import_confirm, name="plan_import_confirm"),
    path("assignments/<int:pk>/plan/copy/", plan.plan_copy, name="plan_copy"),
    path("assignments/<int:pk>/plan/apply/", plan.plan_apply, name="plan_apply"),
    path("plan/sample.<str:fmt>", plan.plan_sample, name="plan_sample"),
    # period, year, exam and final marks of an assignment
    path("assignments/<int:pk>/period-marks/", period_marks.period_marks, name="period_marks"),
    path("assignments/<int:pk>/period-marks/save/", period_marks.period_marks_save, name="period_marks_save"),
    path("assignments/<int:pk>/period-marks/override/", period_marks.period_mark_override, name="period_mark_override"),
    # the substitution log
    path("substitutions/", substitution.substitutions, name="substitutions"),
    path("substitutions/record/", substitution.substitution_record, name="substitution_record"),
    path("substitutions/<int:pk>/cancel/", substitution.substitution_cancel, name="substitution_cancel"),
    # the class teacher's weekly absences
    path("classes/<int:pk>/absences/", absences.absences, name="absences"),
    path("classes/<int:pk>/absences/day/", absences.absences_day_set, name="absences_day_set"),
    path("classes/<int:pk>/absences/lesson/", absences.absences_lesson_set, name="absences_lesson_set"),
]

# --- Edit windows (ENGINEER 1: journal/views/unlock.py) -------------------------------------------------------------
from .views import unlock as unlock_views  # noqa: E402

urlpatterns += [
    path("unlock/", unlock_views.unlock_list, name="unlock_list"),
    path("unlock/open/", unlock_views.unlock_open, name="unlock_open"),
]
