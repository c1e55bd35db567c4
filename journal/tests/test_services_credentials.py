"""Issuing one-time activation codes: who may issue them to whom, and what a code looks like when issued."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import ActivationCode, User
from accounts.services.activation import CODE_ALPHABET
from accounts.tests.factories import TEST_PASSWORD
from journal.services.credentials import codes_issue


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
