"""Forms of the КТП, substitution and absences pages (the class journal's side pages)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField, IntegerField, ModelChoiceField
from journal.models import AttendanceCode, WorkType
from journal.services import plan as plan_services

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A long picker (teachers, pupils, classes): static/js/select-filter.js lets the user type to filter it.
FILTER = {"data-filter": "1"}


# --- КТП ----------------------------------------------------------------------------------------------------


class PlanTopicForm(forms.Form):
    """A line of the plan: section, topic, hours, the planned homework and kind of work; a new line may go before a
    given №.

    ``work_types`` (the school's kinds of work) adds the choice of the kind of work; without it the form has none
    (the plan page's add form: its list would cost the page a query; the kind is set when editing the line).
    """

    section = forms.CharField(label=_("Раздел"), max_length=300, required=False)
    title = forms.CharField(label=_("Тема"), max_length=500)
    hours = IntegerField(label=_("Часов"), min_value=1, max_value=100, initial=1)
    position = IntegerField(
        label=_("Вставить перед №"), min_value=1, required=False, help_text=_("пусто — в конец плана")
    )
    homework = forms.CharField(
        label=_("Домашнее задание по плану"),
        max_length=plan_services.HOMEWORK_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Подставится в запись об уроке по этой теме; учитель может изменить его на уроке."),
    )
    work_type = ModelChoiceField(
        label=_("Вид работы или контроля"),
        queryset=WorkType.objects.none(),
        required=False,
        empty_label=_("— не указан —"),
    )

    def __init__(self, *args, with_position: bool = True, submit_label=None, work_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_position:
            del self.fields["position"]
        if work_types is None:
            del self.fields["work_type"]
        else:
            self.fields["work_type"].queryset = work_types
        self.helper = FormHelper()
        columns = [
            Column("section", css_class="col-md-3"),
            Column("title", css_class="col-md-5"),
            Column(Field("hours"), css_class="col-md-2 col-6"),
        ]
        if with_position:
            columns.append(Column("position", css_class="col-md-2 col-6"))
        planned = [Column("homework", css_class="col-md-8")]
        if work_types is not None:
            planned.append(Column("work_type", css_class="col-md-4"))
        self.helper.layout = Layout(
            Row(*columns, css_class="g-2"),
            Row(*planned, css_class="g-2"),
            Submit("submit", submit_label or _("Добавить тему")),
        )


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Файл КТП (CSV или XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Столбцы: № п/п, Раздел, Тема, Часы, Домашнее задание, Вид работы (название или сокращение из списка "
            "видов работ школы). Старый план будет заменён только после проверки. Файл до %(mb)s МБ: "
            "до %(topics)s тем и %(lines)s строк, до %(columns)s столбцов, до %(cell)s символов в ячейке."
        ) % {
            "mb": plan_services.MAX_FILE_SIZE // (1024 * 1024),
            "topics": plan_services.MAX_TOPICS,
            "lines": plan_services.MAX_LINES,
            "columns": plan_services.MAX_COLUMNS,
            "cell": plan_services.MAX_CELL,
        }
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("file", accept=".csv,.xlsx"), Submit("submit", _("Проверить файл")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > plan_services.MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("Файл слишком большой: можно не больше %(mb)s МБ.")
                % {"mb": plan_services.MAX_FILE_SIZE // (1024 * 1024)}
            )
        return upload


class PlanCopyForm(forms.Form):
    source = forms.ChoiceField(label=_("Скопировать КТП из"), widget=forms.Select(attrs=FILTER))

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for source in sources:
            a = source.assignment
            group = f", {a.subgroup.name}" if a.subgroup_id else ""
            mark = "★ " if source.recommended else ""
            label = (
                f"{mark}{a.year.name}: {a.subject.name} — {a.school_class}{group} ({a.teacher.short_name}), "
                f"{source.topics} тем, {source.hours} ч"
            )
            choices.append((str(a.pk), label))
        self.fields["source"].choices = choices
        self.helper = FormHelper()
        self.helper.layout = Layout("source", Submit("submit", _("Скопировать (заменит текущий план)")))


class PlanApplyForm(forms.Form):
    from_date = DateField(
        label=_("С даты"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("пусто — со всех уроков года; темы, введённые вручную, сохраняются"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("from_date", Submit("submit", _("Назначить темы урокам")))


# --- substitution ---------------------------------------------------------------------------------------------


class DateRangeForm(forms.Form):
    date_from = DateField(label=_("С"), widget=DATE_INPUT)
    date_to = DateField(label=_("По"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_show_labels = False
        self.helper.layout = Layout(
            Row(
                Column(HTML(f'<span class="text-secondary">{_("Период")}:</span>'), css_class="col-auto"),
                # The labels are not shown (the row reads «Период: … — …»): the fields carry them (WCAG 1.3.1).
                Column(Field("date_from", css_class="form-control-sm", aria_label=_("Период с")), css_class="col-auto"),
                Column(HTML("—"), css_class="col-auto"),
                Column(Field("date_to", css_class="form-control-sm", aria_label=_("Период по")), css_class="col-auto"),
                Column(Submit("submit", _("Показать"), css_class="btn-sm"), css_class="col-auto"),
                css_class="g-2 align-items-center",
            )
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("Конец периода раньше его начала."))
        return cleaned


class SubstitutionForm(forms.Form):
    """Record a substitution: the lesson of the chosen day and class, the substitute, the reason."""

    lesson = forms.TypedChoiceField(label=_("Урок"), coerce=int)
    substitute = forms.TypedChoiceField(label=_("Заменяющий учитель"), coerce=int, widget=forms.Select(attrs=FILTER))
    reason = forms.CharField(
        label=_("Причина замены"), max_length=200, required=False, help_text=_("например, болезнь учителя, курсы")
    )

    def __init__(self, *args, lessons=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [("", "—"), *list(lessons)]
        self.fields["substitute"].choices = [("", "—"), *list(staff)]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("lesson", css_class="col-md-5"),
                Column("substitute", css_class="col-md-4"),
                Column("reason", css_class="col-md-3"),
                css_class="g-2",
            ),
            Submit("submit", _("Оформить замену")),
        )


class SubstitutionBulkForm(forms.Form):
    """Replace every lesson of an absent teacher over a day or a period: who, when, by whom (the plan follows)."""

    teacher = forms.TypedChoiceField(label=_("Отсутствующий учитель"), coerce=int, widget=forms.Select(attrs=FILTER))
    date_from = DateField(label=_("С"), widget=DATE_INPUT)
    date_to = DateField(label=_("По (включительно)"), widget=DATE_INPUT)
    substitute = forms.TypedChoiceField(
        label=_("Заменяющий учитель"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=FILTER),
        help_text=_("на все уроки; у каждого урока его можно поменять в списке ниже"),
    )
    reason = forms.CharField(
        label=_("Причина замены"), max_length=200, required=False, help_text=_("например, болезнь учителя, курсы")
    )

    def __init__(self, *args, teachers=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [("", "—"), *list(teachers)]
        self.fields["substitute"].choices = [("", _("— выбрать у каждого урока —")), *list(staff)]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(
                Column("teacher", css_class="col-md-4"),
                Column("date_from", css_class="col-md-2 col-6"),
                Column("date_to", css_class="col-md-2 col-6"),
                Column("substitute", css_class="col-md-4"),
                css_class="g-2",
            ),
            Row(Column("reason", css_class="col-md-6"), css_class="g-2"),
            Submit("submit", _("Показать уроки и конфликты")),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("Конец периода раньше его начала."))
        return cleaned


# --- absences ---------------------------------------------------------------------------------------------------

REASON_CHOICES = [
    (AttendanceCode.ILL.value, _("б — по болезни")),
    (AttendanceCode.EXCUSED.value, _("у — по уважительной причине")),
    (AttendanceCode.UNEXCUSED.value, _("п — по неуважительной причине")),
    (AttendanceCode.ABSENT.value, _("н — причина не указана")),
]
LESSON_CODE_CHOICES = [
    *REASON_CHOICES,
    (AttendanceCode.LATE.value, _("оп — опоздание")),
    ("", _("присутствовал (снять отметку)")),
]
