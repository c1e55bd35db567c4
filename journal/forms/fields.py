"""Form fields that read numbers, ids and dates with ``journal.dates``: a malformed value is a Russian form error.

Django's own fields let «１２» and «٣» through ``int()``, hand a twenty-digit id to the database (an SQLite overflow,
a 500) and call «31.02.2013» a format error. Every form of the apps takes its integers, dates and model choices
from here.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from journal.dates import parse_date, safe_id, safe_int

DIGITS = re.compile(r"-?[0-9]+")


class IntegerField(forms.IntegerField):
    """An integer of ASCII digits within the database's 64-bit range (and the field's own bounds)."""

    default_error_messages = {"too_large": _("Слишком большое число.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        number = safe_int(text)
        if number is None:
            code = "too_large" if DIGITS.fullmatch(text) else "invalid"
            raise ValidationError(self.error_messages[code], code=code)
        return number


class DateField(forms.DateField):
    """A date typed as ДД.ММ.ГГГГ or sent by a date input: «Такой даты нет: 31.02.2013» for a day that does not exist,
    and only the years a school could mean (``journal.dates.parse_date``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            return parse_date(value)
        return super().to_python(value)  # a date or datetime given as the initial value


def _check_id(field: forms.Field, value) -> None:
    """Refuse, as a choice that is not in the list, an id the database could not even look up."""
    if field.to_field_name is None and safe_id(value) is None:
        shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:30]}…"
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown})


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of an object by its id: a malformed or out-of-range id is an invalid choice before any query."""

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, self.queryset.model):
            _check_id(self, value)
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several objects by their ids, each checked as in ``ModelChoiceField``."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            if not isinstance(pk, self.queryset.model):
                _check_id(self, pk)
        return super()._check_values(value)
