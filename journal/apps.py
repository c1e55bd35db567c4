from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Журнал: структура школы и календарь")

    def ready(self) -> None:
        from .dates import IdConverter

        # <id:pk> in every app's URLs: an id the database can hold, else a 404 (journal/dates.py).
        register_converter(IdConverter, "id")
