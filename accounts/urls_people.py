"""URL patterns of people management (import, credentials, personal cards), in the accounts namespace."""

from django.urls import path

from . import views_people as views

urlpatterns: list = [
    path("people/import/", views.import_upload, name="import_upload"),
    path("people/import/sample/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("people/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("people/import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("people/import/<int:pk>/result/", views.import_result, name="import_result"),
    path("people/credentials/staff/", views.staff_credentials, name="staff_credentials"),
    path("people/credentials/class/<int:pk>/", views.class_credentials, name="class_credentials"),
    path("activate/", views.activate, name="activate"),
    path("people/cards/class/<int:pk>/", views.class_cards, name="class_cards"),
    path("people/cards/<int:pk>/", views.pupil_card, name="pupil_card"),
    path("people/cards/<int:pk>/parents/<int:parent_pk>/", views.parent_card, name="parent_card"),
]
