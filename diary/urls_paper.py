"""Paper diaries of a class (parents who chose paper): the class teacher's page, its batch print and the PDFs."""

from django.urls import path

from .views import paper as views

urlpatterns: list = [
    path("paper/<int:class_pk>/", views.paper, name="paper"),
    path("paper/prints/<int:pk>/pdf/", views.paper_pdf, name="paper_pdf"),
]
