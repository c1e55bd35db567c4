"""The form fields of journal.forms.fields: ASCII digits within the database's range, days that exist."""

import datetime as dt

import pytest
from django import forms

from accounts.models import User
from journal.forms.fields import DateField, IntegerField, ModelChoiceField, ModelMultipleChoiceField


class Sample(forms.Form):
    number = IntegerField(required=False, min_value=1, max_value=100)
    big = IntegerField(required=False)
    day = DateField(required=False)
    user = ModelChoiceField(queryset=User.objects.all(), required=False)
    users = ModelMultipleChoiceField(queryset=User.objects.all(), required=False)


def errors(**data) -> dict:
    form = Sample(data)
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    "value, expected",
    [
        ("42", 42),
        (" 7 ", 7),
        ("-5", None),  # below min_value
        ("１２", None),  # full-width digits: int() reads them, we do not
        ("٣", None),
        ("²", None),
        ("1.5", None),
        ("9" * 20, None),
    ],
)
def test_integer_field(value, expected):
    form = Sample({"number": value})
    assert form.is_valid() == (expected is not None)
    if expected is not None:
        assert form.cleaned_data["number"] == expected


def test_a_number_past_the_database_is_too_large():
    assert errors(big=str(2**63)) == {"big": ["Слишком большое число."]}
    assert errors(big=str(-(2**63))) == {}
    assert errors(big="１２") == {"big": ["Введите целое число."]}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-23", dt.date(2026, 11, 23)),
        ("23.11.2026", dt.date(2026, 11, 23)),
        ("1.9.2026", dt.date(2026, 9, 1)),
    ],
)
def test_date_field(value, expected):
    form = Sample({"day": value})
    assert form.is_valid()
    assert form.cleaned_data["day"] == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("31.02.2013", "Такой даты нет: 31.02.2013."),
        ("29.02.2027", "Такой даты нет: 29.02.2027."),
        ("2026-04-31", "Такой даты нет: 2026-04-31."),
        ("2026-13-45", "Введите правильную дату."),
        ("0001-01-01", "Дата 01.01.0001 вне допустимых пределов (1900–2999 годы)."),
        ("9999-12-31", "Дата 31.12.9999 вне допустимых пределов (1900–2999 годы)."),
        ("23.11.26", "Введите правильную дату."),  # a two-digit year is a guess we do not make
        ("завтра", "Введите правильную дату."),
        ("x" * 2**20, "Введите правильную дату."),
    ],
)
def test_date_field_says_what_is_wrong(value, message):
    assert errors(day=value) == {"day": [message]}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9" * 20, str(2**63), "²", "١٢", "-1", "0"])
def test_model_choice_fields_refuse_ids_the_database_cannot_hold(value):
    """Twenty digits reached the database: SQLite's integer overflowed (a 500), PostgreSQL looked it up."""
    found = errors(user=value, users=[value])
    assert set(found) == {"user", "users"}


@pytest.mark.django_db
def test_model_choice_fields_take_real_ids(cast):
    form = Sample({"user": str(cast.teacher.pk), "users": [str(cast.teacher.pk), str(cast.deputy.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user"] == cast.teacher
    assert set(form.cleaned_data["users"]) == {cast.teacher, cast.deputy}
