"""Form fields that several pages ask for: account details, a new password. Not a page."""
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from .passwords import MIN_PASSWORD_LENGTH

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

EMAIL = [DataRequired("Enter your e-mail address."),
         Email("Enter an e-mail address such as name@example.com."), Length(max=254)]
NEW_PASSWORD = [DataRequired("Choose a password."),
                Length(min=MIN_PASSWORD_LENGTH, max=200,
                       message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")]
CONFIRM = [DataRequired("Type the password again."),
           EqualTo("password", "The two passwords are not the same.")]


class AccountDetails:
    legal_name = StringField(
        "Legal name", description="Exactly as it should print on your certificates.",
        validators=[DataRequired("Enter your legal name."), Length(max=200)])
    licence_number = StringField(
        "Licence number (optional)",
        description="Some courses print it on the certificate; boards may ask for it.",
        validators=[Optional(), Length(max=64)])
    licence_state = SelectField("State that issued your licence", choices=STATE_CHOICES,
                                default="")


class NewPassword:
    password = PasswordField("Password", validators=NEW_PASSWORD,
                             description=f"At least {MIN_PASSWORD_LENGTH} characters.")
    confirm = PasswordField("Password again", validators=CONFIRM)
