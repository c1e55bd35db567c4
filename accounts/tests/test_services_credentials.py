"""One-time activation codes: who may issue them, activation, re-issue, refusals."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import ActivationCode, User
from accounts.services.credentials import CODE_ALPHABET, code_activate, codes_issue
from ejournal.factories import TEST_PASSWORD

NEW_PASSWORD = "Lipa-Klen-2026"


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_issue_gives_a_readable_code_stored_only_as_a_hash(cast):
    [(user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    assert user == cast.teacher
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", code)
    assert not set(code) & set("01OIL")
    stored = ActivationCode.objects.get(user=cast.teacher)
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash
    assert stored.issued_by == cast.admin and stored.used_at is None
    assert not fresh(cast.teacher).has_usable_password()  # the old password no longer works


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


def test_the_class_teacher_issues_to_the_class_pupils_and_parents(cast):
    issued = codes_issue(actor=cast.classteacher, users=[cast.pupil_user, cast.parent_user])
    assert [user for user, _code in issued] == [cast.pupil_user, cast.parent_user]
    assert ActivationCode.objects.filter(issued_by=cast.classteacher).count() == 2


@pytest.mark.parametrize("target", ["other_pupil", "parent2_user", "teacher", "admin"])
def test_the_class_teacher_cannot_issue_outside_the_class(cast, target):
    other = getattr(cast, target)
    other_user = other.user if hasattr(other, "user") else other
    with pytest.raises(PermissionDenied):
        codes_issue(actor=cast.classteacher, users=[cast.pupil_user, other_user])
    assert not ActivationCode.objects.exists()
    assert fresh(cast.pupil_user).check_password(TEST_PASSWORD)


@pytest.mark.parametrize("actor", ["teacher", "deputy", "director", "pupil_user", "parent_user", "foreign_admin"])
def test_others_cannot_issue(cast, actor):
    with pytest.raises(PermissionDenied):
        codes_issue(actor=getattr(cast, actor), users=[cast.pupil_user])
    assert not ActivationCode.objects.exists()


def test_the_admin_issues_to_anyone_at_the_school_but_not_to_themself(cast):
    issued = codes_issue(actor=cast.admin, users=[cast.deputy, cast.other_pupil.user, cast.parent2_user])
    assert len(issued) == 3
    with pytest.raises(ValidationError, match="Себе код выдать нельзя"):
        codes_issue(actor=cast.admin, users=[cast.teacher, cast.admin])
    assert fresh(cast.admin).check_password(TEST_PASSWORD)
    assert not ActivationCode.objects.filter(user=cast.teacher).exists()
    with pytest.raises(ValidationError, match="Не выбран"):
        codes_issue(actor=cast.admin, users=[])
