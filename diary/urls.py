"""URLs of the diary (/diary/: a pupil's pages, events, e-mail notifications, paper diaries) and of the messages
(/messages/, the ``messaging`` namespace, mounted by ejournal/urls.py from ``messaging_urlpatterns``)."""

from django.urls import include, path

from .views import diary, events, messages, notifications, paper

app_name = "diary"

# The diary of a pupil (pupils, parents, the class teacher and the management): /diary/pupils/<pk>/…
pupil_urls = [
    path("", diary.pupil_detail, name="pupil"),
    path("week/", diary.week, name="week"),
    path("marks/", diary.marks, name="marks"),
    path("marks/<id:assignment_pk>/", diary.subject, name="subject"),
    path("years/<id:year_pk>/", diary.year, name="year"),
    path("new/", diary.news, name="news"),
    path("timetable/", diary.timetable, name="timetable"),
    path("events/", events.pupil_events, name="events"),
]

# Events and announcements: the staff's list and forms.
event_urls = [
    path("", events.event_list, name="event_list"),
    path("new/", events.event_create, name="event_create"),
    path("<id:pk>/edit/", events.event_edit, name="event_edit"),
    path("<id:pk>/cancel/", events.event_cancel, name="event_cancel"),
]

# E-mail notifications: a user's preferences, the school admin's outbox.
notification_urls = [
    path("", notifications.notification_settings, name="notifications"),
    path("outbox/", notifications.email_outbox, name="email_outbox"),
    path("outbox/<id:pk>/retry/", notifications.email_retry, name="email_retry"),
]

# Paper diaries of a class (parents who chose paper): the class teacher's page, its batch print and the PDFs.
paper_urls = [
    path("<id:class_pk>/", paper.paper, name="paper"),
    path("prints/<id:pk>/pdf/", paper.paper_pdf, name="paper_pdf"),
]

urlpatterns = [
    path("", diary.diary_home, name="home"),
    path("pupils/<id:pk>/", include(pupil_urls)),
    path("events/", include(event_urls)),
    path("notifications/", include(notification_urls)),
    path("paper/", include(paper_urls)),
]

# Messages (/messages/): threads between families and staff, class broadcasts. Their own namespace, "messaging".
messaging_urlpatterns = [
    path("", messages.inbox, name="inbox"),
    path("new/", messages.compose, name="compose"),
    path("<id:pk>/", messages.thread_detail, name="thread"),
    path("<id:pk>/reply/", messages.thread_reply, name="reply"),
    path("broadcast/", messages.broadcast_create, name="broadcast"),
    path("broadcast/<id:pk>/", messages.broadcast_detail, name="broadcast_detail"),
]
