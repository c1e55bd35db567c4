"""The diary (pupils and parents), events, e-mail notifications and paper diaries: one namespace, a module each."""

from . import urls_diary, urls_events, urls_notifications, urls_paper

app_name = "diary"
urlpatterns = urls_diary.urlpatterns + urls_events.urlpatterns + urls_notifications.urlpatterns + urls_paper.urlpatterns
