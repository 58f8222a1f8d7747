"""Entry point: `flask --app app ...` and `gunicorn app:app`."""
from nmt_course import create_app

app = create_app()
