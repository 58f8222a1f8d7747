"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py app:app`.

Sync workers behind nginx (docs/deploy/nginx.conf): nginx buffers each request and response
whole, so a worker never waits on a slow client and a sync worker is the simplest that
serves. Every setting can be overridden from the environment (GUNICORN_CMD_ARGS, or the
variables named below) without editing this file.
"""
import multiprocessing
import os

# Where nginx reaches the app; a unix socket (unix:/run/nmt/gunicorn.sock) works as well.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Pages are CPU work in Python (templates, Markdown, PDF): one sync worker per core, and one
# more so a core is not idle while a worker waits for PostgreSQL. WEB_CONCURRENCY overrides
# (the app warns at start-up when it is above 1 without REDIS_URL).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
worker_class = "sync"

# The app (templates, course content, settings) is built once in the master and shared by
# the workers through fork: faster starts, less memory. The database connections are not
# shared (post_fork below).
preload_app = True

# A page that takes longer than this is a bug: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (systemctl stop, a deploy) each worker finishes the requests it holds first.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to the app open between requests.
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): bounds
# the growth of any leak.
max_requests = 5000
max_requests_jitter = 500

# The access log, with each request's time in microseconds (%(D)s) and the client's address
# as nginx forwarded it.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = ('%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus '
                     '"%(f)s" "%(a)s"')
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only nginx on this host may say what the client's address and scheme were.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# systemd's signals manage the server (docs/deploy/nmt.service); no control socket in $HOME,
# which several servers on one machine would share.
control_socket_disable = True


def post_fork(server, worker):
    """Each worker opens its own database connections: a connection made in the master
    (preload_app) must never be used by two processes at once."""
    from nmt_course.extensions import db

    app = worker.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):  # not bench/hello.py's bare app
        with app.app_context():
            db.engine.dispose(close=False)
