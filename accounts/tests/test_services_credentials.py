"""First login with a one-time code: activation, re-issue, refusals (who may issue codes: journal's tests)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ActivationCode, User
from accounts.services.activation import code_activate, code_store
from accounts.tests.factories import TEST_PASSWORD

NEW_PASSWORD = "Lipa-Klen-2026"


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def codes_issue(*, actor: User, users: list[User]) -> list[tuple[User, str]]:
    """Codes as journal.services.credentials.codes_issue writes them, without its rule of who may issue."""
    return [(user, code_store(user=user, issued_by=actor, moment=timezone.now())) for user in users]


def test_activation_sets_the_password_and_spends_the_code(cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    user = code_activate(username="teacher", code=code, new_password=NEW_PASSWORD)
    assert user == cast.teacher
    assert fresh(cast.teacher).check_password(NEW_PASSWORD)
    assert ActivationCode.objects.get(user=cast.teacher).used_at is not None
    with pytest.raises(ValidationError, match="Неверный логин или код"):
        code_activate(username="teacher", code=code, new_password="Drugoi-Parol-77")
    assert fresh(cast.teacher).check_password(NEW_PASSWORD)


def test_the_code_forgives_case_dashes_and_russian_letters(cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    typed = code.lower().replace("-", " ").translate(str.maketrans("abcehkmptxy", "авсенкмртху"))
    code_activate(username="Teacher", code=typed, new_password=NEW_PASSWORD)
    assert fresh(cast.teacher).check_password(NEW_PASSWORD)


def test_reissue_invalidates_the_old_code(cast):
    [(_user, old)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    [(_user, new)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    assert ActivationCode.objects.filter(user=cast.teacher).count() == 1
    with pytest.raises(ValidationError, match="Неверный логин или код"):
        code_activate(username="teacher", code=old, new_password=NEW_PASSWORD)
    code_activate(username="teacher", code=new, new_password=NEW_PASSWORD)
    assert fresh(cast.teacher).check_password(NEW_PASSWORD)


def test_reissue_after_activation_resets_the_password(cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    code_activate(username="teacher", code=code, new_password=NEW_PASSWORD)
    codes_issue(actor=cast.admin, users=[cast.teacher])
    teacher = fresh(cast.teacher)
    assert not teacher.has_usable_password()
    assert teacher.activation_code.used_at is None


@pytest.mark.parametrize(
    "username, code",
    [("teacher", "AAAA-BBBB"), ("nobody", None), ("classteacher", None), ("", None)],
)
def test_a_wrong_code_or_login_changes_nothing(cast, username, code):
    [(_user, real)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    password_hash = fresh(cast.teacher).password
    with pytest.raises(ValidationError) as error:
        code_activate(username=username, code=code or real, new_password=NEW_PASSWORD)
    assert error.value.code == "invalid_code"
    assert "Неверный логин или код" in error.value.messages[0]
    assert fresh(cast.teacher).password == password_hash
    assert ActivationCode.objects.get(user=cast.teacher).used_at is None
    assert fresh(cast.classteacher).check_password(TEST_PASSWORD)


def test_a_weak_password_is_refused_and_the_code_stays_valid(cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.pupil_user])
    for weak in ("12345678", "pupil123", "короткий"[:5]):
        with pytest.raises(ValidationError) as error:
            code_activate(username="pupil", code=code, new_password=weak)
        assert error.value.messages and getattr(error.value, "code", None) != "invalid_code"
    assert ActivationCode.objects.get(user=cast.pupil_user).used_at is None
    code_activate(username="pupil", code=code, new_password=NEW_PASSWORD)


def test_an_inactive_user_cannot_activate(cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    User.objects.filter(pk=cast.teacher.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="Неверный логин или код"):
        code_activate(username="teacher", code=code, new_password=NEW_PASSWORD)
