"""Forms of the quiz pages besides the quiz itself."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from .operations import FLAG_LENGTH


class FlagForm(FlaskForm):
    comment = TextAreaField(
        "What seems wrong or unclear?",
        description="One or two sentences for the course's authors. Do not include anything "
                    "personal about a client.",
        validators=[DataRequired("Say what seems wrong."),
                    Length(*FLAG_LENGTH, message="Use %(min)d to %(max)d characters.")])
