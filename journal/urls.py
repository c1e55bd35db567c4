"""The journal's URLs (/journal/…): one named group per area, mounted with include()."""

from django.urls import include, path

from .views import (
    absences,
    closing,
    grid,
    people,
    period_marks,
    plan,
    setup,
    structure,
    substitution,
    timetable,
    unlock,
)

# The year-opening flow (admin): calendar, classes, curriculum, assignments, opening.
setup_urls = [
    path("", setup.setup_index, name="setup"),
    path("new/", setup.year_create, name="year_create"),
    path("<int:pk>/calendar/", setup.setup_calendar, name="setup_calendar"),
    path("<int:pk>/grades/", setup.setup_grades, name="setup_grades"),
    path("<int:pk>/periods/<str:kind>/", setup.setup_periods, name="setup_periods"),
    path("<int:pk>/vacations/add/", setup.setup_vacation_add, name="setup_vacation_add"),
    path("vacations/<int:pk>/delete/", setup.setup_vacation_delete, name="setup_vacation_delete"),
    path("<int:pk>/days/add/", setup.setup_day_add, name="setup_day_add"),
    path("days/<int:pk>/delete/", setup.setup_day_delete, name="setup_day_delete"),
    path("<int:pk>/open/", setup.setup_year_open, name="setup_year_open"),
    path("<int:pk>/classes/", setup.setup_classes, name="setup_classes"),
    path("<int:pk>/classes/add/", setup.setup_class_add, name="setup_class_add"),
    path("classes/<int:pk>/", setup.setup_class, name="setup_class"),
    path("classes/<int:pk>/teacher/", setup.setup_class_teacher, name="setup_class_teacher"),
    path("<int:pk>/curriculum/", setup.setup_curriculum, name="setup_curriculum"),
    path("<int:pk>/subjects/add/", setup.setup_subject_add, name="setup_subject_add"),
    path("<int:pk>/assignments/", setup.setup_assignments, name="setup_assignments"),
    path("<int:pk>/assignments/add/", setup.setup_assignment_add, name="setup_assignment_add"),
    path("assignments/<int:pk>/remove/", setup.setup_assignment_remove, name="setup_assignment_remove"),
    path("<int:pk>/assignments/transfer/", setup.setup_assignment_transfer, name="setup_assignment_transfer"),
]

# Bells, rooms, the weekly timetable by class, teacher and room, and the year's lesson layout.
timetable_urls = [
    path("", timetable.timetable_index, name="timetable_index"),
    path("class/<int:pk>/", timetable.timetable_class, name="timetable_class"),
    path("class/<int:pk>/add/", timetable.timetable_entry_add, name="timetable_entry_add"),
    path("entry/<int:pk>/remove/", timetable.timetable_entry_remove, name="timetable_entry_remove"),
    path("teacher/<int:pk>/", timetable.timetable_teacher, name="timetable_teacher"),
    path("room/<int:pk>/", timetable.timetable_room, name="timetable_room"),
    path("bells/", timetable.bell_schedule, name="timetable_bells"),
    path("rooms/", timetable.room_list, name="timetable_rooms"),
    path("layout/", timetable.lessons_layout, name="lessons_layout"),
]

# A class: its page, movement of its pupils, their weekly absences.
class_urls = [
    path("", structure.class_list, name="class_list"),
    path("<int:pk>/", structure.class_detail, name="class_detail"),
    path("<int:pk>/movement/", closing.class_movement, name="class_movement"),
    path("<int:pk>/arrive/", closing.pupil_arrive, name="pupil_arrive"),
    path("<int:pk>/absences/", absences.absences, name="absences"),
    path("<int:pk>/absences/day/", absences.absences_day_set, name="absences_day_set"),
    path("<int:pk>/absences/lesson/", absences.absences_lesson_set, name="absences_lesson_set"),
]

# A pupil leaving or moving to another class.
pupil_urls = [
    path("<int:pk>/leave/", closing.pupil_leave, name="pupil_leave"),
    path("<int:pk>/move/", closing.pupil_move, name="pupil_move"),
]

# Closing the year: promotion, and copying the structure to the next year.
promotion_urls = [
    path("", closing.promotion, name="promotion"),
    path("refresh/", closing.promotion_refresh, name="promotion_refresh"),
    path("classes/<int:pk>/", closing.promotion_save, name="promotion_save"),
    path("apply/", closing.promotion_apply, name="promotion_apply"),
]

# An assignment (учебная нагрузка): its page, grid, КТП and period marks.
assignment_urls = [
    path("", structure.assignment_list, name="assignment_list"),
    path("<int:pk>/", structure.assignment_detail, name="assignment_detail"),
    path("<int:pk>/grid/", grid.grid, name="grid"),
    path("<int:pk>/plan/", plan.plan, name="plan"),
    path("<int:pk>/plan/add/", plan.plan_topic_add, name="plan_topic_add"),
    path("<int:pk>/plan/<int:topic_pk>/edit/", plan.plan_topic_edit, name="plan_topic_edit"),
    path("<int:pk>/plan/<int:topic_pk>/remove/", plan.plan_topic_remove, name="plan_topic_remove"),
    path("<int:pk>/plan/<int:topic_pk>/move/", plan.plan_topic_move, name="plan_topic_move"),
    path("<int:pk>/plan/import/", plan.plan_import, name="plan_import"),
    path("<int:pk>/plan/import/preview/", plan.plan_import_preview, name="plan_import_preview"),
    path("<int:pk>/plan/import/confirm/", plan.plan_import_confirm, name="plan_import_confirm"),
    path("<int:pk>/plan/copy/", plan.plan_copy, name="plan_copy"),
    path("<int:pk>/plan/apply/", plan.plan_apply, name="plan_apply"),
    path("<int:pk>/period-marks/", period_marks.period_marks, name="period_marks"),
    path("<int:pk>/period-marks/save/", period_marks.period_marks_save, name="period_marks_save"),
    path("<int:pk>/period-marks/override/", period_marks.period_mark_override, name="period_mark_override"),
]

# The class journal's cells and lessons, saved from the grid.
grid_urls = [
    path("cell/", grid.grid_cell, name="grid_cell"),
    path("lessons/<int:pk>/", grid.grid_lesson, name="grid_lesson"),
    path(
        "lessons/<int:lesson_pk>/pupils/<int:pupil_pk>/history/",
        grid.grid_cell_history,
        name="grid_cell_history",
    ),
]

# The substitution log.
substitution_urls = [
    path("", substitution.substitutions, name="substitutions"),
    path("record/", substitution.substitution_record, name="substitution_record"),
    path("<int:pk>/cancel/", substitution.substitution_cancel, name="substitution_cancel"),
]

# Edit windows for locked marks.
unlock_urls = [
    path("", unlock.unlock_list, name="unlock_list"),
    path("open/", unlock.unlock_open, name="unlock_open"),
]

# People: list import, login codes, personal cards.
people_urls = [
    path("import/", people.import_upload, name="import_upload"),
    path("import/sample/<str:kind>.<str:fmt>", people.import_template, name="import_template"),
    path("import/<int:pk>/", people.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", people.import_apply, name="import_apply"),
    path("import/<int:pk>/result/", people.import_result, name="import_result"),
    path("credentials/staff/", people.staff_credentials, name="staff_credentials"),
    path("credentials/class/<int:pk>/", people.class_credentials, name="class_credentials"),
    path("cards/class/<int:pk>/", people.class_cards, name="class_cards"),
    path("cards/<int:pk>/", people.pupil_card, name="pupil_card"),
    path("cards/<int:pk>/parents/<int:parent_pk>/", people.parent_card, name="parent_card"),
]

app_name = "journal"
urlpatterns = [
    path("year/", structure.year_detail, name="year_detail"),
    path("year/copy/", closing.year_copy, name="year_copy"),
    path("staff/", structure.staff_list, name="staff_list"),
    path("movement/", closing.movement, name="movement"),
    path("plan/sample.<str:fmt>", plan.plan_sample, name="plan_sample"),
    path("setup/", include(setup_urls)),
    path("timetable/", include(timetable_urls)),
    path("classes/", include(class_urls)),
    path("pupils/", include(pupil_urls)),
    path("promotion/", include(promotion_urls)),
    path("assignments/", include(assignment_urls)),
    path("grid/", include(grid_urls)),
    path("substitutions/", include(substitution_urls)),
    path("unlock/", include(unlock_urls)),
    path("people/", include(people_urls)),
]
