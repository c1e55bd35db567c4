"""Paper diaries of a class (parents who chose paper): the class teacher's page and its batch print."""

from django.urls import path

from .views import paper as views

urlpatterns: list = [
    path("paper/<int:class_pk>/", views.paper, name="paper"),
]
