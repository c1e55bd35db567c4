"""The filters of a report, as a GET form: the year, a study period, a class, a grade, a subject, a teacher, dates.

Each report's form takes the fields it needs (``fields`` below) and the scope of the user, so a filter never offers
a class or a teacher the user may not report on. Bad values are form errors in Russian, never a 500.
"""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES
from accounts.models import User
from journal.choices import GRADES
from journal.dates import safe_id
from journal.forms.fields import DateField, ModelChoiceField
from journal.models import SchoolYear, StudyPeriod, Subject
from journal.selectors import current_year

from ..access import ReportScope

YEAR_RESULT = "year"  # the «period» value for the year's results (year marks)
PERIOD_KIND_ORDER = {"quarter": 0, "trimester": 1, "half": 2}  # the period select: quarters first


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices from the field's list (read once), not a query per rendering."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.objects()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.objects())


class ListedModelChoiceField(ModelChoiceField):
    """A choice of an object among a short list (the years, the classes, the subjects, the teachers of a school):
    the queryset is read once per form, and both the check of the value and the select's options use that list
    (Django's field reads it again for each: the check, the rendering, and the form's own ``.first()``)."""

    iterator = ListedChoiceIterator

    def objects(self) -> list:
        """The queryset's objects, read once (again only when the form sets another queryset)."""
        queryset = self.queryset
        if getattr(self, "_listed_for", None) is not queryset:
            self._listed = [] if queryset is None else list(queryset)
            self._listed_for = queryset
        return self._listed

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # A malformed or out-of-range id is an invalid choice, as in ``journal.forms.fields`` (never a lookup).
        pk = value.pk if isinstance(value, self.queryset.model) else safe_id(value)
        chosen = next((obj for obj in self.objects() if obj.pk == pk), None) if pk is not None else None
        if chosen is None:
            shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:30]}…"
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown})
        return chosen


class ReportForm(forms.Form):
    """Subclasses list the filters they use in ``filters``; the rest are removed."""

    filters: tuple[str, ...] = ("year",)

    year = ListedModelChoiceField(label=_("Учебный год"), queryset=SchoolYear.objects.none(), required=False)
    period = forms.ChoiceField(label=_("Период"), required=False)
    school_class = ListedModelChoiceField(
        label=_("Класс"), queryset=None, required=False, widget=forms.Select(attrs={"data-filter": "1"})
    )
    grade = forms.TypedChoiceField(label=_("Параллель"), coerce=int, required=False, empty_value=None)
    subject = ListedModelChoiceField(
        label=_("Предмет"),
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.Select(attrs={"data-filter": "1"}),
    )
    teacher = ListedModelChoiceField(
        label=_("Учитель"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs={"data-filter": "1"}),
    )
    date_from = DateField(label=_("С"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label=_("По"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    on_date = DateField(label=_("На дату"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        for name in list(self.fields):
            if name not in self.filters:
                del self.fields[name]
        self._periods: dict[int, list[StudyPeriod]] = {}
        years = SchoolYear.objects.filter(school=scope.school).order_by("-start_date")
        if "year" in self.fields:
            self.fields["year"].queryset = years
            self.fields["year"].empty_label = None
        self.default_year = current_year(scope.school, timezone.localdate())
        year = self._chosen_year(years)
        if "period" in self.fields:
            periods = sorted(self.year_periods(year), key=lambda p: (PERIOD_KIND_ORDER.get(p.kind, 9), p.number))
            self.fields["period"].choices = [(str(p.pk), str(p)) for p in periods] + [(YEAR_RESULT, _("учебный год"))]
        if "school_class" in self.fields:
            self.fields["school_class"].queryset = scope.classes.filter(year=year).order_by("grade", "letter")
            self.fields["school_class"].empty_label = _("— выберите класс —")
        if "grade" in self.fields:
            self.fields["grade"].choices = [("", _("все"))] + [(grade, f"{grade}") for grade in GRADES]
        if "subject" in self.fields:
            self.fields["subject"].queryset = Subject.objects.filter(school=scope.school).order_by("order", "name")
            self.fields["subject"].empty_label = _("все предметы")
        if "teacher" in self.fields:
            self.fields["teacher"].queryset = User.objects.filter(school=scope.school, role__in=STAFF_ROLES).order_by(
                "last_name", "first_name"
            )
            self.fields["teacher"].empty_label = _("все учителя")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-sm-6 col-md-4 col-lg-3") for name in self.fields)),
        )
        self.helper.add_input(Submit("show", _("Показать"), css_class="btn-sm"))

    # A report without a class chosen is made for the first class of the list (the class teacher's own).
    class_by_default = False

    def default_data(self) -> dict[str, str]:
        """The values a report is made with when the query leaves them out: put into the form's data, so that the
        selects show what the report is for rather than the first choice or «— выберите —»."""
        data = {}
        if "period" in self.fields:
            year = self._chosen_year(self.fields["year"].queryset) if "year" in self.fields else self.default_year
            period = self.default_period(year)
            if period is not None:
                data["period"] = period
        if self.class_by_default and "school_class" in self.fields and not self.data.get("school_class"):
            first = self.first_class()
            if first is not None:
                data["school_class"] = str(first.pk)
        return data

    def first_class(self):
        """The first class of the «class» select (the one a report without a class chosen is made for)."""
        classes = self.fields["school_class"].objects()
        return classes[0] if classes else None

    def year_periods(self, year: SchoolYear | None) -> list[StudyPeriod]:
        """The year's study periods, read once for the form (the select, the default period, the checks)."""
        if year is None:
            return []
        if year.pk not in self._periods:
            self._periods[year.pk] = list(StudyPeriod.objects.filter(year=year))
        return self._periods[year.pk]

    def full_clean(self):
        if self.is_bound:
            missing = {name: value for name, value in self.default_data().items() if not self.data.get(name)}
            if missing:
                self.data = self.data.copy()
                for name, value in missing.items():
                    self.data[name] = value
        super().full_clean()

    def default_period(self, year: SchoolYear | None) -> str | None:
        """The «period» value a report without one is made for (None: the form's own empty choice)."""
        return None

    def _chosen_year(self, years) -> SchoolYear | None:
        raw = self.data.get("year") if self.is_bound else None
        if raw:
            pk = safe_id(raw)
            if pk is not None and "year" in self.fields:  # the select's list: the same years
                chosen = next((year for year in self.fields["year"].objects() if year.pk == pk), None)
            else:
                chosen = years.filter(pk=pk).first() if pk is not None else None
            if chosen is not None:
                return chosen
        return self.default_year

    def clean(self):
        data = super().clean()
        if "year" in self.fields and data.get("year") is None:
            data["year"] = self.default_year
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Дата окончания раньше даты начала."))
        if start and end and (end - start) > dt.timedelta(days=400):
            self.add_error("date_to", _("Период отчёта — не больше года."))
        return data

    def filter_labels(self) -> list[tuple[str, str]]:
        """The chosen filters, as the report prints them."""
        labels = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if value in (None, ""):
                continue
            if name == "period":
                value = dict(field.choices).get(value, value)
            if isinstance(value, dt.date):
                value = value.strftime("%d.%m.%Y")
            labels.append((str(field.label), str(value)))
        return labels
