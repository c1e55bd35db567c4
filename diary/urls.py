from django.urls import path

from . import views

app_name = "diary"
urlpatterns = [
    path("", views.diary_home, name="home"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil"),
]
