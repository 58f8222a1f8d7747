"""Account forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..form_fields import (CONFIRM, EMAIL, NEW_PASSWORD, PASSWORD_HINT, AccountDetails,
                           NewPassword)


class RegisterForm(AccountDetails, NewPassword, FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL)


class AccountForm(AccountDetails, FlaskForm):
    family_name = StringField(
        "Family name (optional)",
        description="The part of your name lists are sorted by, such as a clinic's report. "
                    "Left empty, the last word of your legal name.",
        validators=[Optional(), Length(max=200)])
    licence_in_credentials = BooleanField(
        "Put my licence number in my digital credentials",
        description="Digital credentials (the .json file offered with each certificate) can be "
                    "shared with employers, boards and wallets. Off by default: they then "
                    "name you and the course, not your licence. Applies to credentials "
                    "signed from now on.")


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL)
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL)


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=NEW_PASSWORD,
                             description=PASSWORD_HINT)
    confirm = PasswordField("New password again", validators=CONFIRM)


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password.")])


class ChangeEmailForm(FlaskForm):
    new_email = EmailField("New e-mail address", validators=[
        DataRequired("Enter the new e-mail address."), *EMAIL[1:]])
    current_password = PasswordField("Your password",
                                     validators=[DataRequired("Enter your password.")])


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password",
                             validators=[DataRequired("Enter your password to confirm.")])
