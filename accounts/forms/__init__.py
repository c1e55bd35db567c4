"""Forms of identity: login, password change, first login with an activation code."""

from .activation import ActivationForm
from .auth import LoginForm, PasswordChangeCrispyForm

__all__ = ["ActivationForm", "LoginForm", "PasswordChangeCrispyForm"]
