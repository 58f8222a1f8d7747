"""The platform as bench/load.py serves it: the production app (`app:app`) with rate limits
off, since one benchmark client sends thousands of requests a minute from one address and
as one person (each limit is tested on its own in tests/)."""
from nmt_course import create_app

app = create_app({"RATELIMIT_ENABLED": False})
