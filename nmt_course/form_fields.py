"""Form fields that several features' pages share: e-mail addresses, account details, a new
password. A page helper. Fields keep what was typed: operations normalise it (nmt_course.text),
once, where it is stored."""
from __future__ import annotations

from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from .accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from .certificates.pdf import UnprintableText, check_printable
from .text import email_address

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VI", "U.S. Virgin Islands"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]
STATE_CHOICES = [SelectChoice(code, name)
                 for code, name in [("", "Not licensed in a U.S. state"), *US_STATES]]


class EmailAddress:
    """An address text.email_address accepts; the operation normalises it (once)."""

    def __init__(self, message: str = "Enter an e-mail address such as name@example.com."):
        self.message = message

    def __call__(self, form, field) -> None:
        try:
            email_address(field.data or "")
        except ValueError:
            raise ValidationError(self.message) from None


EMAIL = [DataRequired("Enter your e-mail address."), EmailAddress(), Length(max=254)]
PASSWORD_HINT = (f"At least {MIN_PASSWORD_LENGTH} characters, and not one that is easy to "
                 "guess: a few unrelated words work well.")


class GuessResistant:
    """A new password: long enough and not among those guessed first. The form's e-mail and
    name, and `form.about_user` (set by the page for a known person), count against it."""

    def __call__(self, form, field) -> None:
        about = [form[name].data for name in ("email", "legal_name") if name in form]
        problem = password_problem(field.data or "",
                                   [*about, *getattr(form, "about_user", ())])
        if problem:
            raise ValidationError(problem)


class Printable:
    """Text the certificate's fonts draw: a name is refused here rather than at issue."""

    def __call__(self, form, field) -> None:
        try:
            check_printable(field.data or "")
        except UnprintableText as error:
            raise ValidationError(f"{error}. Write it in the letters your licence uses.") \
                from None


NEW_PASSWORD = [DataRequired("Choose a password."), GuessResistant()]
CONFIRM = [DataRequired("Type the password again."),
           EqualTo("password", "The two passwords are not the same.")]


class AccountDetails:
    legal_name = StringField(
        "Legal name", description="Exactly as it should print on your certificates.",
        validators=[DataRequired("Enter your legal name."), Length(max=200), Printable()])
    licence_number = StringField(
        "Licence number (optional)",
        description="Some courses print it on the certificate; boards may ask for it.",
        validators=[Optional(), Length(max=64)])
    licence_state = SelectField("State that issued your licence", choices=STATE_CHOICES,
                                default="")


class NewPassword:
    password = PasswordField("Password", validators=NEW_PASSWORD,
                             description=PASSWORD_HINT)
    confirm = PasswordField("Password again", validators=CONFIRM)
