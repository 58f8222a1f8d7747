"""The quiz form, built for the questions an attempt shows: a page helper shared by the quiz
page and the authors' preview of a draft, so both show the same thing."""
from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, RadioField, SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from .quizzes.models import Choice, Question
from .quizzes.presentation import Presentation


@dataclass(frozen=True)
class PresentedQuestion:
    number: int
    question: Question
    choices: tuple[Choice, ...]  # in the order this learner sees them

    @property
    def field_name(self) -> str:
        return f"q-{self.question.key}"


def presented(questions: list[Question], shown: Presentation) -> list[PresentedQuestion]:
    """The questions an attempt shows, numbered, with choices in the order it shows them."""
    by_key = {question.key: question for question in questions}
    result = []
    for number, key in enumerate(shown.questions, start=1):
        question = by_key[key]
        choices = {choice.key: choice for choice in question.choices}
        result.append(PresentedQuestion(number, question,
                                        tuple(choices[choice] for choice in shown.choices[key])))
    return result


class QuizForm(FlaskForm):
    version = HiddenField()
    attempt = HiddenField()
    opened = HiddenField()  # the signed time the quiz was opened (web.open_token)

    presented: list[PresentedQuestion]

    def answers(self) -> dict[str, list[str]]:
        """{question key: chosen choice keys}, after validation."""
        answers = {}
        for item in self.presented:
            data = self[item.field_name].data
            answers[item.question.key] = list(data) if isinstance(data, list) else [data]
        return answers


def build_quiz_form(presented: list[PresentedQuestion], **kwargs) -> QuizForm:
    """A form class with one field per question; a forged choice id fails validation."""
    class Form(QuizForm):
        pass

    for item in presented:
        choices = [SelectChoice(choice.key, Markup(choice.text_html)) for choice in item.choices]
        label = f"Question {item.number}"
        if item.question.type == "multiple":
            field = SelectMultipleField(
                label, choices=choices, widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
                validators=[InputRequired("Choose at least one answer.")])
        else:
            field = RadioField(label, choices=choices,
                               validators=[InputRequired("Choose an answer.")])
        setattr(Form, item.field_name, field)
    form = Form(**kwargs)
    form.presented = presented
    return form
