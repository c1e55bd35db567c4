"""The journal's URLs (/journal/…): one named group per area, mounted with include()."""

from django.urls import include, path

from .views import (
    absences,
    closing,
    exemptions,
    grid,
    people,
    period_marks,
    plan,
    setup,
    staff,
    structure,
    substitution,
    timetable,
    unlock,
)

# The year-opening flow (admin): calendar, classes, curriculum, assignments, opening.
setup_urls = [
    path("", setup.setup_index, name="setup"),
    path("new/", setup.year_create, name="year_create"),
    path("<id:pk>/calendar/", setup.setup_calendar, name="setup_calendar"),
    path("<id:pk>/grades/", setup.setup_grades, name="setup_grades"),
    path("<id:pk>/periods/<str:kind>/", setup.setup_periods, name="setup_periods"),
    path("<id:pk>/vacations/add/", setup.setup_vacation_add, name="setup_vacation_add"),
    path("vacations/<id:pk>/delete/", setup.setup_vacation_delete, name="setup_vacation_delete"),
    path("<id:pk>/days/add/", setup.setup_day_add, name="setup_day_add"),
    path("days/<id:pk>/delete/", setup.setup_day_delete, name="setup_day_delete"),
    path("<id:pk>/open/", setup.setup_year_open, name="setup_year_open"),
    path("<id:pk>/classes/", setup.setup_classes, name="setup_classes"),
    path("<id:pk>/classes/add/", setup.setup_class_add, name="setup_class_add"),
    path("classes/<id:pk>/", setup.setup_class, name="setup_class"),
    path("classes/<id:pk>/teacher/", setup.setup_class_teacher, name="setup_class_teacher"),
    path("<id:pk>/curriculum/", setup.setup_curriculum, name="setup_curriculum"),
    path("<id:pk>/subjects/add/", setup.setup_subject_add, name="setup_subject_add"),
    path("<id:pk>/assignments/", setup.setup_assignments, name="setup_assignments"),
    path("<id:pk>/assignments/add/", setup.setup_assignment_add, name="setup_assignment_add"),
    path("assignments/<id:pk>/remove/", setup.setup_assignment_remove, name="setup_assignment_remove"),
    path("<id:pk>/assignments/transfer/", setup.setup_assignment_transfer, name="setup_assignment_transfer"),
]

# Bells, rooms, the weekly timetable by class, teacher and room, and the year's lesson layout.
timetable_urls = [
    path("", timetable.timetable_index, name="timetable_index"),
    path("class/<id:pk>/", timetable.timetable_class, name="timetable_class"),
    path("class/<id:pk>/add/", timetable.timetable_entry_add, name="timetable_entry_add"),
    path("entry/<id:pk>/remove/", timetable.timetable_entry_remove, name="timetable_entry_remove"),
    path("teacher/<id:pk>/", timetable.timetable_teacher, name="timetable_teacher"),
    path("room/<id:pk>/", timetable.timetable_room, name="timetable_room"),
    path("bells/", timetable.bell_schedule, name="timetable_bells"),
    path("rooms/", timetable.room_list, name="timetable_rooms"),
    path("layout/", timetable.lessons_layout, name="lessons_layout"),
]

# A class: its page, movement of its pupils, their weekly absences, their exemptions from subjects.
class_urls = [
    path("", structure.class_list, name="class_list"),
    path("<id:pk>/", structure.class_detail, name="class_detail"),
    path("<id:pk>/movement/", closing.class_movement, name="class_movement"),
    path("<id:pk>/arrive/", closing.pupil_arrive, name="pupil_arrive"),
    path("<id:pk>/absences/", absences.absences, name="absences"),
    path("<id:pk>/absences/day/", absences.absences_day_set, name="absences_day_set"),
    path("<id:pk>/absences/lesson/", absences.absences_lesson_set, name="absences_lesson_set"),
    path("<id:pk>/exemptions/", exemptions.exemptions, name="exemptions"),
    path("<id:pk>/exemptions/<id:exemption_pk>/remove/", exemptions.exemption_delete, name="exemption_delete"),
]

# A pupil leaving or moving to another class.
pupil_urls = [
    path("<id:pk>/leave/", closing.pupil_leave, name="pupil_leave"),
    path("<id:pk>/move/", closing.pupil_move, name="pupil_move"),
]

# Closing the year: promotion, and copying the structure to the next year.
promotion_urls = [
    path("", closing.promotion, name="promotion"),
    path("refresh/", closing.promotion_refresh, name="promotion_refresh"),
    path("classes/<id:pk>/", closing.promotion_save, name="promotion_save"),
    path("apply/", closing.promotion_apply, name="promotion_apply"),
]

# An assignment (учебная нагрузка): its page, grid, КТП and period marks.
assignment_urls = [
    path("", structure.assignment_list, name="assignment_list"),
    path("<id:pk>/", structure.assignment_detail, name="assignment_detail"),
    path("<id:pk>/grid/", grid.grid, name="grid"),
    path("<id:pk>/plan/", plan.plan, name="plan"),
    path("<id:pk>/plan/add/", plan.plan_topic_add, name="plan_topic_add"),
    path("<id:pk>/plan/<id:topic_pk>/edit/", plan.plan_topic_edit, name="plan_topic_edit"),
    path("<id:pk>/plan/<id:topic_pk>/remove/", plan.plan_topic_remove, name="plan_topic_remove"),
    path("<id:pk>/plan/<id:topic_pk>/move/", plan.plan_topic_move, name="plan_topic_move"),
    path("<id:pk>/plan/import/", plan.plan_import, name="plan_import"),
    path("<id:pk>/plan/import/preview/", plan.plan_import_preview, name="plan_import_preview"),
    path("<id:pk>/plan/import/confirm/", plan.plan_import_confirm, name="plan_import_confirm"),
    path("<id:pk>/plan/copy/", plan.plan_copy, name="plan_copy"),
    path("<id:pk>/plan/apply/", plan.plan_apply, name="plan_apply"),
    path("<id:pk>/period-marks/", period_marks.period_marks, name="period_marks"),
    path("<id:pk>/period-marks/save/", period_marks.period_marks_save, name="period_marks_save"),
    path("<id:pk>/period-marks/override/", period_marks.period_mark_override, name="period_mark_override"),
]

# The class journal's cells and lessons, saved from the grid.
grid_urls = [
    path("cell/", grid.grid_cell, name="grid_cell"),
    path("lessons/<id:pk>/", grid.grid_lesson, name="grid_lesson"),
    path("lessons/<id:pk>/attendance/", grid.grid_attendance_taken, name="grid_attendance_taken"),
    path(
        "lessons/<id:lesson_pk>/pupils/<id:pupil_pk>/history/",
        grid.grid_cell_history,
        name="grid_cell_history",
    ),
]

# The substitution log.
substitution_urls = [
    path("", substitution.substitutions, name="substitutions"),
    path("record/", substitution.substitution_record, name="substitution_record"),
    path("teacher/", substitution.substitution_bulk, name="substitution_bulk"),
    path("<id:pk>/cancel/", substitution.substitution_cancel, name="substitution_cancel"),
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
    path("import/<id:pk>/", people.import_preview, name="import_preview"),
    path("import/<id:pk>/apply/", people.import_apply, name="import_apply"),
    path("import/<id:pk>/progress/", people.import_progress, name="import_progress"),
    path("import/<id:pk>/result/", people.import_result, name="import_result"),
    path("credentials/staff/", people.staff_credentials, name="staff_credentials"),
    path("credentials/class/<id:pk>/", people.class_credentials, name="class_credentials"),
    path("cards/class/<id:pk>/", people.class_cards, name="class_cards"),
    path("cards/<id:pk>/", people.pupil_card, name="pupil_card"),
    path("cards/<id:pk>/parents/<id:parent_pk>/", people.parent_card, name="parent_card"),
    path("cards/<id:pk>/parents/add/", staff.parent_add, name="parent_add"),
    path("cards/<id:pk>/parents/link/", staff.parent_link, name="parent_link"),
    path("cards/<id:pk>/parents/<id:parent_pk>/unlink/", staff.parent_unlink, name="parent_unlink"),
    path("staff/add/", staff.staff_add, name="staff_add"),
    path("staff/<id:pk>/", staff.staff_edit, name="staff_edit"),
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
