"""Forms of the messages pages: a new thread, a reply, a class broadcast, the staff's search for recipients.

The recipients are offered by ``diary.selectors.messages`` (grouped, with notes) and drawn by the
``_recipients.html`` part of the layout: the form only validates the chosen ids against the allowed people.
"""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import PupilProfile, User
from journal.forms.fields import ModelChoiceField, ModelMultipleChoiceField
from journal.models import SchoolClass

from ..choices import BroadcastAudience
from ..selectors.messages import allowed_recipients
from ..services.messages import SUBJECT_MAX_LENGTH, TEXT_MAX_LENGTH

TEXT_WIDGET = forms.Textarea(attrs={"rows": 5})


class ThreadForm(forms.Form):
    """A new thread: recipients from the allowed people, a subject and the first message.

    Staff also get a search (by name, or a class's pupils and parents): its button posts the form back without
    sending, so what is typed and ticked survives the search.
    """

    q = forms.CharField(label=_("Найти по фамилии или имени"), required=False, max_length=100)
    school_class = ModelChoiceField(
        label=_("или показать класс"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("— сотрудники школы —"),
        widget=forms.Select(attrs={"data-filter": "1"}),  # a long picker: static/js/select-filter.js
    )
    to = ModelMultipleChoiceField(
        label=_("Кому"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Выберите хотя бы одного получателя."),
            "invalid_choice": _("Этому адресату вы писать не можете."),
        },
    )
    pupil = ModelChoiceField(queryset=PupilProfile.objects.none(), required=False, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Тема"), max_length=SUBJECT_MAX_LENGTH)
    text = forms.CharField(label=_("Сообщение"), widget=TEXT_WIDGET, max_length=TEXT_MAX_LENGTH)

    def __init__(
        self,
        *args,
        user: User,
        pupil: PupilProfile | None,
        pupils=None,
        classes=None,
        action: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = allowed_recipients(user, pupil=pupil)
        self.fields["pupil"].queryset = pupils if pupils is not None else PupilProfile.objects.none()
        self.helper = FormHelper()
        self.helper.form_action = action
        search = []
        if classes is None:
            del self.fields["q"], self.fields["school_class"]
        else:
            self.fields["school_class"].queryset = classes
            search = [
                Row(
                    Column(Field("q", placeholder=_("например, Иванова")), css_class="col-sm-6"),
                    Column("school_class", css_class="col-sm-4"),
                    Column(
                        StrictButton(
                            _("Показать"),
                            type="submit",
                            name="find",
                            value="1",
                            formnovalidate="formnovalidate",
                            css_class="btn-outline-primary mt-sm-4 w-100",
                        ),
                        css_class="col-sm-2 mb-3",
                    ),
                )
            ]
        self.helper.layout = Layout(
            "pupil",
            *search,
            HTML('{% include "diary/messages/_recipients.html" %}'),
            "subject",
            "text",
            Submit("submit", _("Отправить")),
        )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Ответ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(Field("text", placeholder=_("Ваш ответ")), Submit("submit", _("Ответить")))


class BroadcastForm(forms.Form):
    """One message to a whole class: its parents, its pupils or both."""

    school_class = ModelChoiceField(
        label=_("Класс"),
        queryset=SchoolClass.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"data-filter": "1"}),  # a long picker: static/js/select-filter.js
    )
    audience = forms.ChoiceField(
        label=_("Кому"), choices=BroadcastAudience.choices, initial=BroadcastAudience.PARENTS, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Тема"), max_length=SUBJECT_MAX_LENGTH)
    text = forms.CharField(label=_("Сообщение"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX_LENGTH)

    def __init__(self, *args, classes, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(Column("school_class", css_class="col-sm-4"), Column("audience", css_class="col-sm-8")),
            "subject",
            "text",
            HTML(
                '<p class="small text-secondary">{% load i18n %}{% translate "Каждый получатель увидит сообщение в '
                'своей личной переписке с вами; ответы видите только вы." %}</p>'
            ),
            Submit("submit", _("Отправить классу")),
        )
