"""Forms of the quiz pages besides the quiz itself."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class FlagForm(FlaskForm):
    comment = TextAreaField(
        "What seems wrong or unclear?",
        description="One or two sentences for the course's authors. Do not include anything "
                    "personal about a client.",
        validators=[DataRequired("Say what seems wrong."),
                    Length(min=3, max=500, message="Use 3 to 500 characters.")])
