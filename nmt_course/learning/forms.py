"""The course evaluation form: a rating from 1 to 5 for each lesson's objectives and for each
course-wide question, and an optional comment."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from ..evaluation import MAX_COMMENT, QUESTIONS, RATINGS


def _rating(label: str) -> RadioField:
    low, high = RATINGS
    return RadioField(label, coerce=int,
                      choices=[SelectChoice(value, str(value)) for value in range(low, high + 1)],
                      validators=[InputRequired(f"Choose from {low} to {high}.")])


class EvaluationForm(FlaskForm):
    comment = TextAreaField(
        "Anything else you want the course's authors to know (optional)",
        validators=[Length(max=MAX_COMMENT, message=f"Keep it to {MAX_COMMENT:,} characters.")])

    lesson_fields: list[tuple[int, str]]  # (lesson id, field name)

    def objectives_met(self) -> dict[int, int]:
        return {lesson_id: self[name].data for lesson_id, name in self.lesson_fields}

    def ratings(self) -> dict[str, int]:
        return {key: self[key].data for key in QUESTIONS}

    def course_fields(self):
        return [self[key] for key in QUESTIONS]


def build_evaluation_form(lessons) -> EvaluationForm:
    """The form for a course's active lessons (rows with .id and .title)."""
    class Form(EvaluationForm):
        pass

    for key, label in QUESTIONS.items():
        setattr(Form, key, _rating(label))
    for lesson in lessons:
        setattr(Form, f"lesson-{lesson.id}", _rating(f"“{lesson.title}”: its objectives were met"))
    form = Form()
    form.lesson_fields = [(lesson.id, f"lesson-{lesson.id}") for lesson in lessons]
    return form
