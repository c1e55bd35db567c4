from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_permission_ids(**kwargs) -> None:
    # migrate and flush (tests) recreate permission rows with new ids.
    from .permissions import _PERMISSION_IDS

    _PERMISSION_IDS.clear()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Пользователи и школы")

    def ready(self) -> None:
        post_migrate.connect(_forget_permission_ids, dispatch_uid="accounts.forget_permission_ids")
