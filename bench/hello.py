"""The baseline of bench/load.py: a bare Flask app answering "Hello" under the platform's
own gunicorn settings (gunicorn.conf.py)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
