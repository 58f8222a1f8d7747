"""Forms of the people pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..certificates.provider import SIGNATURE_MAX_BYTES
from ..form_fields import EmailAddress, Printable

from ..quizzes.operations import MAX_GRANT


class RolesForm(FlaskForm):
    is_instructor = BooleanField("Instructor: writes and edits courses")
    is_admin = BooleanField("Admin: manages people and every course")


class LegalNameForm(FlaskForm):
    legal_name = StringField("Corrected legal name", validators=[
        DataRequired("Enter the name."), Length(max=200), Printable()],
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


class ProviderForm(FlaskForm):
    name = StringField("Provider name", validators=[
        DataRequired("Enter the provider's name."), Length(max=200), Printable()],
        description="As the board approved it: printed on certificates and in credentials.")
    postal_address = StringField("Postal address", validators=[Length(max=300), Printable()],
                                 description="One line, for example \"12 Harbour Street, "
                                             "Tampa, FL 33602\".")
    contact_email = EmailField("Contact e-mail", validators=[
        Optional(), EmailAddress(), Length(max=254)],
        description="A certificate shows the address, the e-mail or both.")
    approval_number = StringField("Provider approval number",
                                  validators=[Length(max=100), Printable()],
                                  description="The board's number for the provider (a "
                                              "course's own approval number is in its file).")
    cebroker_provider_number = StringField(
        "CE Broker provider tracking number", validators=[Length(max=20), Printable()],
        description="For the CE Broker roster upload, for example 50-12345 (the 50- may be "
                    "left out). Leave empty if the provider does not report to CE Broker.")
    signature = FileField(f"Signature (a PNG image, at most {SIGNATURE_MAX_BYTES // 1024} KB)",
                          description="Printed above the signature line; a transparent "
                                      "background looks best. Leave empty to keep the "
                                      "current one.")
    remove_signature = BooleanField("Remove the current signature")
    version = HiddenField()


class TrackingNumberForm(FlaskForm):
    number = StringField("CE Broker course tracking number",
                         validators=[Length(max=20), Printable()],
                         description="For example 20-123456 (the 20- may be left out).")


class ReissueForm(FlaskForm):
    legal_name = StringField("Legal name to print", validators=[
        DataRequired("Enter the name."), Length(max=200), Printable()])
    licence_number = StringField("Licence number", validators=[Length(max=64), Printable()])
    licence_state = StringField("Licence state", validators=[Length(max=64), Printable()])
    reason = StringField("Why it is re-issued", validators=[
        DataRequired("Say why the certificate is re-issued."), Length(max=500)],
        description="Kept with the replaced revision and in the audit log, and told to the "
                    "learner in the e-mail.")
