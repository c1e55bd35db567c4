"""The lesson record form of the class journal grid: topic, КТП topic, kind of work, control work, homework.

A lesson not recorded yet whose КТП topic is known opens with the plan's topic, kind of work and homework filled
in, so that recording a planned lesson is one confirmation; what the teacher saves is the lesson's own record
(``lesson_record_and_homework_set``), the plan is not changed by it.
"""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PupilProfile
from journal.forms.fields import DateField, ModelChoiceField, ModelMultipleChoiceField
from journal.models import Homework, Lesson, PlanTopic, WorkType
from journal.services.journal import homework_due_date_check


class LoadedChoiceIterator(ModelChoiceIterator):
    """Choices from the field's queryset as loaded once (its result cache), not from a second query: the form reads
    the lists for the plan's prefill and renders them from the same rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


class LoadedModelChoiceField(ModelChoiceField):
    iterator = LoadedChoiceIterator

    def load(self) -> list:
        """The choices' objects (one query, then reused for the rendering)."""
        return list(self.queryset)


class PlanTopicField(LoadedModelChoiceField):
    widget = forms.Select(attrs={"data-filter": "1"})  # a year's КТП: type to filter (static/js/select-filter.js)

    def label_from_instance(self, obj: PlanTopic) -> str:
        return f"{obj.order}. {obj.title}"


class PupilsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: PupilProfile) -> str:
        return obj.user.full_name


class LessonRecordForm(forms.Form):
    """What was done at the lesson and the homework given (one homework at a time: general or for chosen pupils)."""

    topic = forms.CharField(
        label=_("Тема урока"),
        max_length=Lesson._meta.get_field("topic").max_length,
        required=False,
        help_text=_("Если оставить пустой и выбрать тему из КТП, подставится тема из плана."),
    )
    plan_topic = PlanTopicField(
        label=_("Тема по КТП"), queryset=PlanTopic.objects.none(), required=False, empty_label=_("— не выбрана —")
    )
    work_type = LoadedModelChoiceField(
        label=_("Вид работы на уроке"),
        queryset=WorkType.objects.none(),
        required=False,
        empty_label=_("— не указан (устный ответ) —"),
        help_text=_("Новые отметки за урок получают этот вид работы и его вес."),
    )
    is_control = forms.BooleanField(label=_("Контрольная работа"), required=False)
    attendance_taken = forms.BooleanField(
        label=_("Посещаемость отмечена"),
        required=False,
        help_text=_(
            "Отметьте, когда все присутствуют или отсутствующие уже отмечены в столбце урока. "
            "Пропуск или опоздание, внесённые в журнал, отмечают посещаемость сами."
        ),
    )
    homework_text = forms.CharField(
        label=_("Домашнее задание"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Страницы, номера упражнений. Пустое поле снимает это задание."),
    )
    homework_due_date = DateField(
        label=_("К какому дню"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Пусто — к следующему уроку по расписанию. Родители увидят задание в дневнике на этот день."),
    )
    homework_pupils = PupilsField(
        label=_("Только для учащихся"),
        queryset=PupilProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Никого не выбрано — задание для всех."),
    )

    def __init__(
        self,
        *args,
        lesson: Lesson,
        pupils: list[PupilProfile],
        homework: Homework | None = None,
        read_only: bool = False,
        plan_homework: bool = False,
        attendance_editable: bool = False,
        attendance_codes: bool = False,
        **kwargs,
    ):
        """``plan_homework``: the lesson has no homework yet, so a planned one may fill in the new one.

        «Посещаемость отмечена» (``attendance_taken``): checked once the lesson is stamped (then it is only shown:
        the stamp records when the register was first taken and is not taken back). Not stamped yet, it is checked
        by default only where the register visibly was taken — absences or lateness are entered in the column
        (``attendance_codes``: rows written before the stamp existed) — and offered only while attendance may be
        entered (``attendance_editable``: the lesson day has come and the marks' lock has not closed it). An empty
        column is never ticked for the teacher: «all present» is the teacher's word, not a default.
        """
        stamped = lesson.attendance_taken_at is not None
        initial = {
            "topic": lesson.topic,
            "plan_topic": lesson.plan_topic_id,
            "work_type": lesson.work_type_id,
            "is_control": lesson.is_control,
            "attendance_taken": stamped or (attendance_editable and attendance_codes),
        }
        chosen_pupils = [pupil.pk for pupil in homework.pupils.all()] if homework is not None else []
        if homework is not None:
            initial["homework_text"] = homework.text
            initial["homework_pupils"] = chosen_pupils
            initial["homework_due_date"] = homework.due_date
        super().__init__(*args, initial=initial, **kwargs)
        self.lesson = lesson
        assignment = lesson.assignment
        self.fields["plan_topic"].queryset = PlanTopic.objects.filter(assignment=assignment).order_by("order")
        self.fields["work_type"].queryset = WorkType.objects.filter(school_id=assignment.year.school_id).order_by(
            "order", "name"
        )
        self.planned = None if self.is_bound or read_only else self._fill_from_plan(lesson, homework, plan_homework)
        year = assignment.year
        self.fields["homework_due_date"].widget.attrs.update(
            min=f"{min(lesson.date + dt.timedelta(days=1), year.end_date):%Y-%m-%d}", max=f"{year.end_date:%Y-%m-%d}"
        )
        self.fields["homework_pupils"].queryset = PupilProfile.objects.filter(
            pk__in=[pupil.pk for pupil in pupils]
        ).select_related("user")
        taken = self.fields["attendance_taken"]
        if stamped:
            taken.disabled = True
            moment = timezone.localtime(lesson.attendance_taken_at)
            taken.help_text = _("Отмечена %(when)s.") % {"when": f"{moment:%d.%m.%Y %H:%M}"}
        elif not attendance_editable:
            taken.disabled = True
            taken.help_text = _("Посещаемость отмечается в день урока и позже, пока отметки урока не закрыты.")
        if read_only:
            for field in self.fields.values():
                field.disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("topic", autofocus=True),
            "plan_topic",
            Row(Column("work_type", css_class="col-sm-8"), Column("is_control", css_class="col-sm-4 pt-sm-4")),
            "attendance_taken",
            "homework_text",
            Field("homework_due_date", css_class="w-auto"),
            HTML(
                f'<details class="mb-3"{" open" if chosen_pupils else ""}><summary class="mb-2">'
                f"{_('Задание только для отдельных учащихся')}</summary>"
            ),
            Div("homework_pupils", css_class="lesson-pupils"),
            HTML("</details>"),
            *([] if read_only else [Submit("save", _("Сохранить запись об уроке"))]),
        )

    def _fill_from_plan(self, lesson: Lesson, homework: Homework | None, plan_homework: bool) -> PlanTopic | None:
        """Fill in, from the lesson's КТП topic, what a lesson not recorded yet has not got: the topic, the kind of
        work (and control work, if the kind is one) and the homework. Returns the КТП topic used, if any."""
        if lesson.plan_topic_id is None or lesson.recorded_at is not None:
            return None
        planned = next((t for t in self.fields["plan_topic"].load() if t.pk == lesson.plan_topic_id), None)
        if planned is None:
            return None
        if not lesson.topic:
            self.initial["topic"] = planned.title
        if lesson.work_type_id is None and planned.work_type_id is not None:
            kind = next((k for k in self.fields["work_type"].load() if k.pk == planned.work_type_id), None)
            if kind is not None:
                self.initial["work_type"] = kind.pk
                self.initial["is_control"] = lesson.is_control or kind.is_control
        if homework is None and plan_homework and planned.homework:
            self.initial["homework_text"] = planned.homework
        return planned

    def clean_homework_due_date(self) -> dt.date | None:
        """The service's rule (homework_due_date_check), checked here too so that its message stands by the field."""
        due_date = self.cleaned_data.get("homework_due_date")
        homework_due_date_check(self.lesson, due_date)
        return due_date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("homework_due_date") and not (cleaned.get("homework_text") or "").strip():
            self.add_error(
                "homework_due_date",
                ValidationError(_("Срок указан, а задания нет: напишите задание или очистите срок.")),
            )
        return cleaned
