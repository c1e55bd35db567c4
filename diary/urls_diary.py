from django.urls import path

from .views import diary as views

urlpatterns = [
    path("", views.diary_home, name="home"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil"),
]
