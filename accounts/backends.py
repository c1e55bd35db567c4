from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Django's username and password backend that loads the signed-in user with their school in one query.

    Every request reads the user, and most read the school next (its time zone, its name in the menu).
    """

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("school").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
