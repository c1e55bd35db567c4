from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_permission_ids(**kwargs) -> None:
    # migrate and flush (tests) recreate permission rows with new ids.
    from .permissions import _PERMISSION_IDS

    _PERMISSION_IDS.clear()


def _stamp_session(sender, request, user, **kwargs) -> None:
    # A new session starts fresh: SessionRefreshMiddleware renews it only once the stamp is a few minutes old.
    from .middleware import SessionRefreshMiddleware

    if request is not None and hasattr(request, "session"):
        SessionRefreshMiddleware.stamp(request.session)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Пользователи и школы")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        post_migrate.connect(_forget_permission_ids, dispatch_uid="accounts.forget_permission_ids")
        user_logged_in.connect(_stamp_session, dispatch_uid="accounts.stamp_session")
        # Sign-ins and visits for the «Активность пользователей» report (accounts.visits).
        from .visits import login_record

        user_logged_in.connect(login_record, dispatch_uid="accounts.login_record")
