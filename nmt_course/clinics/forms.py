"""Clinic forms: managers', admins' and the invited person's."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (DateField, EmailField, IntegerField, RadioField, SelectChoice, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..form_fields import EMAIL, AccountDetails, NewPassword
from ..recurrence import MAX_MONTHS, MIN_MONTHS, recurrence_problem
from .roster import MAX_BYTES, MAX_ROWS

NAME = [DataRequired("Give the clinic a name."), Length(max=200)]


class InviteForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL)
    name = StringField("Name (optional)", validators=[Optional(), Length(max=200)],
                       description="Used to greet them in the invitation.")


class RosterForm(FlaskForm):
    roster = FileField("CSV or Excel (.xlsx) file of names and e-mail addresses", validators=[
        FileRequired("Choose a CSV or .xlsx file.")],
        description="One person per row: name, e-mail address (a header row is optional; "
                    "First name and Last name columns work too). Commas, semicolons or tabs. "
                    f"At most {MAX_ROWS} rows and {MAX_BYTES // 1024} KB.")


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    course = SelectField("Course", coerce=lambda value: int(value) if value else None,
                         validators=[DataRequired("Choose a course.")])
    due_on = DateField("Due date", validators=[DataRequired("Give a due date (YYYY-MM-DD).")],
                       description="Staff who join later get as many days from the day they "
                                   "join.")
    who = RadioField("Who must complete it", default="clinic", choices=[
        SelectChoice("clinic", "Everyone on the staff, now and later"),
        SelectChoice("chosen", "Only the staff chosen below")])
    staff = CheckboxList("Staff", coerce=int, validators=[Optional()], validate_choice=False)
    recur_months = IntegerField(
        "Repeat every (months)",
        validators=[Optional(), NumberRange(MIN_MONTHS, MAX_MONTHS, recurrence_problem(0))],
        description=f"For training that must be renewed: from {MIN_MONTHS} to {MAX_MONTHS} "
                    "months. A completion then counts for that long, and staff are given the "
                    "course again when it nears its end. Leave it empty if once is enough.")


class DueDateForm(FlaskForm):
    due_on = DateField("New due date",
                       validators=[DataRequired("Give a due date (YYYY-MM-DD).")])


class ClinicForm(FlaskForm):
    name = StringField("Clinic name", validators=NAME)
    manager_email = EmailField(
        "Manager's e-mail address", validators=EMAIL,
        description="An account with this address becomes the manager; with no account, the "
                    "address is invited to manage the clinic.")


class ManagerForm(FlaskForm):
    email = EmailField("E-mail address of the new manager", validators=EMAIL)


class RenameForm(FlaskForm):
    name = StringField("Clinic name", validators=NAME)


class JoinForm(AccountDetails, NewPassword, FlaskForm):
    """The invited person's new account: the address is the invitation's."""
