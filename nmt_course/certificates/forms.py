"""Certificate forms."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class CredentialFileForm(FlaskForm):
    credential = FileField("Credential file (.json, at most 64 KB)",
                           validators=[FileRequired("Choose a credential file.")])
