"""Forms of the people pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..quizzes.operations import MAX_GRANT


class RolesForm(FlaskForm):
    is_instructor = BooleanField("Instructor: writes and edits courses")
    is_admin = BooleanField("Admin: manages people and every course")


class LegalNameForm(FlaskForm):
    legal_name = StringField("Corrected legal name", validators=[
        DataRequired("Enter the name."), Length(max=200)],
        description="As future certificates should print it. Certificates already issued "
                    "keep the name they were issued with.")
    reason = TextAreaField("Why", validators=[DataRequired("Say why the name changes."),
                                              Length(max=500)],
                           description="Kept in the audit log, for example "
                                       "\"Learner e-mailed a copy of their licence\".")


class GrantForm(FlaskForm):
    quiz = SelectField("Quiz", coerce=int, validate_choice=True)
    attempts = IntegerField("More attempts", default=1,
                            validators=[InputRequired(), NumberRange(1, MAX_GRANT)])
    reason = StringField("Why", validators=[DataRequired("Say why."), Length(max=500)])


class RevokeForm(FlaskForm):
    reason = StringField("Why it is revoked", validators=[
        DataRequired("Say why the certificate is revoked."), Length(max=500)],
        description="Kept with the certificate and in the audit log; the verification page "
                    "shows the certificate as revoked, with the date.")
