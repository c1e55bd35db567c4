"""The form of an exemption from a subject: the pupil, a subject of the class's curriculum, the period, the reason."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import PupilProfile

from ..models import CurriculumEntry, Enrollment, GradeSettings, SchoolClass, StudyPeriod, Subject
from .fields import ModelChoiceField


class ExemptionForm(forms.Form):
    pupil = ModelChoiceField(
        label=_("Учащийся"), queryset=PupilProfile.objects.none(), widget=forms.Select(attrs={"data-filter": "1"})
    )
    subject = ModelChoiceField(label=_("Предмет"), queryset=Subject.objects.none())
    period = ModelChoiceField(
        label=_("Период"), queryset=StudyPeriod.objects.none(), required=False, empty_label=_("весь учебный год")
    )
    reason = forms.CharField(
        label=_("Основание"),
        max_length=300,
        help_text=_("Справка, заключение врачебной комиссии или приказ: номер и дата."),
    )

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        pupils = Enrollment.objects.filter(school_class=school_class).values("pupil_id")
        self.fields["pupil"].queryset = (
            PupilProfile.objects.filter(pk__in=pupils)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__middle_name")
        )
        subjects = CurriculumEntry.objects.filter(school_class=school_class).values("subject_id")
        self.fields["subject"].queryset = Subject.objects.filter(pk__in=subjects).order_by("order", "name")
        kind = GradeSettings.objects.filter(year_id=school_class.year_id, grade=school_class.grade).values(
            "period_kind"
        )
        self.fields["period"].queryset = StudyPeriod.objects.filter(
            year_id=school_class.year_id, kind__in=kind
        ).order_by("number")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("pupil", css_class="col-md-4"),
                Column("subject", css_class="col-md-3"),
                Column("period", css_class="col-md-2"),
                Column("reason", css_class="col-md-3"),
            )
        )
        self.helper.add_input(Submit("add", _("Освободить"), css_class="btn-sm"))
