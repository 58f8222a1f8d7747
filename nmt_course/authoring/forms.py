"""The Author area's forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DecimalField, EmailField, FieldList, Form, FormField,
                     IntegerField, RadioField, SelectChoice, SelectField, StringField,
                     TextAreaField)
from wtforms.widgets import HiddenInput
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                Regexp, ValidationError)

from ..content.images import limits_text
from ..content.model import (COURSE_TYPES, MIN_MINUTES, QUESTION_TYPES, REVIEW_AFTER_FAIL,
                             ce_hours_problem)
from ..form_fields import EMAIL
from .questions import CHOICE_ROWS

# Whatever is typed becomes an address ("Scalene Release": scalene-release); left empty, it
# is made from the title (the operation does both, with text.address_of).
ADDRESS = [Optional(), Length(max=200)]


def _ce_hours(form, field) -> None:
    """The bounds `content check` applies to a course file's ce_hours: one rule."""
    problem = ce_hours_problem(field.data) if field.data is not None else None
    if problem:
        raise ValidationError(f"{problem}.")


CE_HOURS = [InputRequired("Enter the CE hours."), _ce_hours]
REVIEW_LABELS = {"objectives": "The score and the objectives to review",
                 "score": "The score only",
                 "questions": "The score and which questions were right"}
class RevisionField(IntegerField):
    """The revision of the draft an editor was loaded at: a save against a newer one of the
    same part is refused as a conflict. A form sent without it counts as loaded at the
    first revision, never at the newest (which would overwrite unseen edits)."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = 0
            return
        try:
            self.data = max(0, int(valuelist[0]))
        except ValueError:
            self.data = 0


def revision_field() -> RevisionField:
    return RevisionField(default=0)


TYPE_LABELS = {"single": "One right answer", "multiple": "Several right answers",
               "true_false": "True or false"}


class NewCourseForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter the course title."),
                                            Length(max=200)],
                        description="As approved; printed on certificates.")
    slug = StringField("Address", validators=ADDRESS,
                       description="The course's web address: /courses/<address>, made from "
                                   "the title if left empty. It cannot change later.")
    summary = StringField("Summary", validators=[Length(max=500)],
                          description="One sentence for the catalogue.")
    ce_hours = DecimalField("CE hours", places=2, validators=CE_HOURS)
    course_type = SelectField("Course type",
                              choices=[SelectChoice(t, t) for t in COURSE_TYPES])


class CourseSettingsForm(FlaskForm):
    revision = revision_field()
    title = StringField("Title", validators=[DataRequired("Enter the course title."),
                                            Length(max=200)])
    summary = StringField("Summary", validators=[Length(max=500)])
    ce_hours = DecimalField("CE hours", places=2, validators=CE_HOURS)
    course_type = SelectField("Course type",
                              choices=[SelectChoice(t, t) for t in COURSE_TYPES])
    approval_number = StringField("Approval number", validators=[Length(max=100)],
                                  description="The board's course or programme number.")
    requires_licence = BooleanField("A licence number is needed before the certificate")
    description = TextAreaField("Description (Markdown)", validators=[Length(max=20000)])


class LessonForm(FlaskForm):
    revision = revision_field()
    title = StringField("Title", validators=[DataRequired("Enter the lesson title."),
                                            Length(max=200)])
    slug = StringField("Address", validators=ADDRESS,
                       description="Part of the lesson's web address, made from the title if "
                                   "left empty. Learners' records follow it: change it only "
                                   "before the lesson is published.")
    objectives = TextAreaField("Objectives, one a line", validators=[Length(max=3000)],
                               description="Each keeps the [label] it is shown with: quiz "
                                           "questions follow it when lines are moved or "
                                           "removed. Write a new objective on a line of "
                                           "its own, without a label.")
    min_minutes = IntegerField(
        "Least reading time in minutes (optional)",
        validators=[Optional(), NumberRange(*MIN_MINUTES, message="Use %(min)s to %(max)s "
                                                                  "minutes, or leave it empty.")],
        description="Marking the lesson read earlier than this after opening it is refused, "
                    "with the time left.")
    body = TextAreaField("Lesson (Markdown)", validators=[DataRequired("Write the lesson."),
                                                          Length(max=200_000)],
                         description="Start headings at ##. Admonitions: !!! warning \"Title\" "
                                     "then the text indented four spaces.")


class PreviewForm(FlaskForm):
    """A lesson's text sent by its editor to be shown as learners will see it."""

    body = TextAreaField(validators=[Length(max=200_000)])


class DuplicateCourseForm(FlaskForm):
    title = StringField("Title of the copy", validators=[
        DataRequired("Enter the title of the copy."), Length(max=200)])
    slug = StringField("Address of the copy", validators=ADDRESS,
                       description="Made from the title if left empty.")


class QuizSettingsForm(FlaskForm):
    revision = revision_field()
    pass_mark = IntegerField("Pass mark (%)", default=80,
                             validators=[InputRequired(), NumberRange(1, 100)])
    max_attempts = IntegerField("Attempts allowed (0 for no limit)", default=3,
                                validators=[InputRequired(), NumberRange(0, 100)])
    draw = IntegerField("Questions per attempt (empty: all of them)",
                        validators=[Optional(), NumberRange(1, 200)])
    review_after_fail = SelectField("After a failed attempt, show",
                                    choices=[SelectChoice(key, REVIEW_LABELS[key])
                                             for key in REVIEW_AFTER_FAIL])


class ChoiceForm(Form):
    # Text areas, so that long text wraps on a phone (saved as one line all the same).
    text = TextAreaField("Choice", validators=[Length(max=1000)], render_kw={"rows": 2})
    correct = BooleanField("Right answer")
    feedback = TextAreaField("Feedback", validators=[Length(max=1000)], render_kw={"rows": 2})


class QuestionForm(FlaskForm):
    revision = revision_field()
    key = StringField("Question id", validators=[
        Optional(), Length(max=100),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message="Use letters, digits, - and _.")],
        description="Stable: attempts and reports refer to it. Left empty, it is made from "
                    "the question.")
    type = SelectField("Type",
                       choices=[SelectChoice(t, TYPE_LABELS[t]) for t in QUESTION_TYPES])
    objective = SelectField("Lesson objective it tests", choices=[SelectChoice("", "None")],
                            default="")
    prompt = TextAreaField("Question", validators=[DataRequired("Write the question."),
                                                   Length(max=3000)],
                           description="One paragraph; a short client scenario, then the "
                                       "decision.")
    answer = SelectField("The statement is",
                         choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
                         default="true")
    choices = FieldList(FormField(ChoiceForm), min_entries=CHOICE_ROWS,
                        max_entries=CHOICE_ROWS)
    # The key of a question with one right answer: one radio button per row.
    right = RadioField("The right answer", validate_choice=False, validators=[Optional()],
                       choices=[SelectChoice(str(row), f"Choice {row + 1} is right")
                                for row in range(CHOICE_ROWS)])
    explanation = TextAreaField("Explanation (Markdown)", validators=[Length(max=5000)],
                                description="Shown after a pass: why the key is right and "
                                            "why the tempting option is wrong.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row's fields named by its number, so a screen reader tells six rows apart.
        for row, entry in enumerate(self.choices.entries, start=1):
            entry.form.text.label.text = f"Choice {row}"
            entry.form.correct.label.text = f"Choice {row} is right"
            entry.form.feedback.label.text = f"Choice {row} feedback"


ALT_HINT = ("Read aloud by screen readers and kept with the image, for example \"Upper "
            "trapezius trigger point and its referral up the side of the neck\".")


class ImageForm(FlaskForm):
    image = FileField(f"Image ({limits_text()})",
                      validators=[FileRequired("Choose an image file.")])
    alt = StringField("What the image shows", validators=[
        DataRequired("Describe the image for learners who cannot see it."), Length(max=200)],
        description=ALT_HINT)


class ReplaceImageForm(FlaskForm):
    image = FileField(f"New image ({limits_text()})",
                      validators=[FileRequired("Choose the new image file.")])
    alt = StringField("What the new image shows (empty: as before)",
                      validators=[Length(max=200)])


class GiftForm(FlaskForm):
    gift = FileField("Moodle GIFT file (UTF-8 text, at most 1 MB)",
                     validators=[FileRequired("Choose a GIFT file.")])


class MaintainerForm(FlaskForm):
    email = EmailField("E-mail address of an instructor", validators=EMAIL)


class PublishForm(FlaskForm):
    revision = revision_field()  # the revision whose changes the author reviewed
    confirm_warnings = BooleanField("I have read the warnings and publish anyway")
