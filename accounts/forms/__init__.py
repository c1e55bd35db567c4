"""Forms of identity: login, password change, first login with an activation code, the school's record."""

from .activation import ActivationForm
from .auth import LoginForm, PasswordChangeCrispyForm
from .school import SchoolForm

__all__ = ["ActivationForm", "LoginForm", "PasswordChangeCrispyForm", "SchoolForm"]
