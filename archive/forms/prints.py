"""The form of «Печать журнала»: the class (or the whole school, for the administration), the subject (optional),
the period — a study period, a half-year or the year. The choices are only what the user may print; a foreign or
malformed id is a Russian form error."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import is_school_management
from accounts.models import User
from journal.access import printable_classes
from journal.forms.fields import ModelChoiceField
from journal.models import SchoolYear, StudyPeriod, TeachingAssignment

from ..access import journal_print_classes, own_assignments

YEAR = "year"
HALF_1, HALF_2 = "half1", "half2"
KIND_ORDER = {"quarter": 0, "trimester": 1, "half": 2}


def period_choices(year: SchoolYear) -> tuple[list[tuple[str, str]], dict[str, tuple[dt.date, dt.date]]]:
    """The periods offered: the year's study periods (quarters first), the two half-years and the year; with each
    one's dates. Half-years are the «half» periods where the year has them, else the first two quarters and the last
    two, else the calendar halves (to 31 December, from 1 January)."""
    periods = sorted(StudyPeriod.objects.filter(year=year), key=lambda p: (KIND_ORDER.get(p.kind, 9), p.number))
    choices, dates = [], {}
    for period in periods:
        choices.append((str(period.pk), f"{period} ({period.start_date:%d.%m}–{period.end_date:%d.%m.%Y})"))
        dates[str(period.pk)] = (period.start_date, period.end_date)
    halves = [p for p in periods if p.kind == "half"]
    quarters = [p for p in periods if p.kind == "quarter"]
    if len(halves) >= 2:
        first, second = (halves[0].start_date, halves[0].end_date), (halves[1].start_date, halves[1].end_date)
    elif len(quarters) >= 4:
        first = (year.start_date, quarters[1].end_date)
        second = (quarters[2].start_date, year.end_date)
    else:
        december = dt.date(year.start_date.year, 12, 31)
        first, second = (year.start_date, december), (december + dt.timedelta(days=1), year.end_date)
    if not halves:
        choices += [(HALF_1, str(_("1 полугодие"))), (HALF_2, str(_("2 полугодие")))]
        dates[HALF_1], dates[HALF_2] = first, second
    choices.append((YEAR, str(_("учебный год"))))
    dates[YEAR] = (year.start_date, year.end_date)
    return choices, dates


class JournalPrintForm(forms.Form):
    school_class = ModelChoiceField(label=_("Класс"), queryset=None, required=False)
    assignment = ModelChoiceField(
        label=_("Предмет"), queryset=None, required=False, help_text=_("пусто: все предметы класса")
    )
    period = forms.ChoiceField(label=_("Период"))

    def __init__(self, data=None, *, user: User, year: SchoolYear, **kwargs):
        super().__init__(data, **kwargs)
        self.user, self.year = user, year
        self.management = is_school_management(user)
        classes = journal_print_classes(user).filter(year=year).order_by("grade", "letter")
        self.fields["school_class"].queryset = classes
        if self.management:
            self.fields["school_class"].empty_label = _("вся школа")
        else:
            self.fields["school_class"].required = True
            self.fields["school_class"].empty_label = _("— выберите класс —")
        assignments = TeachingAssignment.objects.filter(school_class__in=classes)
        if not self.management:
            whole = printable_classes(user).values("pk")
            assignments = assignments.filter(school_class__in=whole) | assignments.filter(
                pk__in=own_assignments(user).values("pk")
            )
        self.fields["assignment"].queryset = assignments.select_related("subject", "subgroup", "school_class").order_by(
            "school_class__grade", "school_class__letter", "subject__order", "subject__name", "subgroup__name"
        )
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.school_class}: {a.subject.name}" + (f" ({a.subgroup.name})" if a.subgroup_id else "")
        )
        self.fields["assignment"].empty_label = _("все предметы")
        choices, self.period_dates = period_choices(year)
        self.fields["period"].choices = choices
        self.fields["period"].initial = YEAR
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has its token
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-md-4") for name in ("school_class", "assignment", "period")))
        )
        self.helper.add_input(Submit("print", _("Напечатать")))

    def clean(self):
        data = super().clean()
        school_class, assignment = data.get("school_class"), data.get("assignment")
        if assignment is not None and school_class is not None and assignment.school_class_id != school_class.pk:
            self.add_error("assignment", _("Этот предмет — из нагрузки другого класса."))
        if assignment is not None and school_class is None:
            data["school_class"] = assignment.school_class
        if data.get("period") in self.period_dates:
            data["start"], data["end"] = self.period_dates[data["period"]]
        return data
