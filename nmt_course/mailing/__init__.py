"""E-mail through an outbox: operations queue messages inside their transaction; a sender
delivers them after the commit (a background thread in each app process, or `flask --app app
mail deliver` from cron). A page's answer never waits on a mail server, and its timing does
not tell whether a message was sent."""
