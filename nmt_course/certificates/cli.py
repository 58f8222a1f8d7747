"""`flask --app app keys generate [--rotate]` and `flask --app app credentials backfill|verify`:
the issuer's signing key, signing the certificates that have no credential, and checking a
credential file offline."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..credentials import did_web, multikey, verifier
from ..learning.queries import all_courses
from ..web import runtime
from . import credential
from .operations import NoSigningKey, backfill_credentials

keys = AppGroup("keys", help="The issuer's signing key for digital credentials.")
credentials = AppGroup("credentials", help="Signed Open Badges credentials.")


@keys.command("generate")
@click.option("--rotate", is_flag=True,
              help="Replace the existing key; its public key stays published, so credentials "
                   "it signed still verify.")
@click.option("--if-missing", is_flag=True, help="Do nothing when a key exists (./dev serve).")
def generate_command(rotate: bool, if_missing: bool) -> None:
    """Write a new Ed25519 key pair to SIGNING_KEY_FILE (mode 0600)."""
    path = Path(current_app.config["SIGNING_KEY_FILE"])
    if if_missing and path.exists():
        return
    try:
        key, retired = multikey.generate(path, rotate=rotate,
                                         now=dt.datetime.now(dt.timezone.utc))
    except multikey.KeyFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote a new signing key to {path} (public key {key.public_multibase}).")
    if retired:
        click.echo(f"The previous public key {retired} is kept in "
                   f"{multikey.retired_file(path)}.")
    click.echo("Restart the app to sign with it.")


@credentials.command("backfill")
def backfill_command() -> None:
    """Sign a credential for every certificate that has none."""
    try:
        slugs = {course.id: course.slug for course in all_courses()}
        signed = backfill_credentials(runtime(), slugs)
    except NoSigningKey as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Signed {signed} credential{'s' if signed != 1 else ''}.")


@credentials.command("verify")
@click.argument("file", type=click.File("rb"))
@click.option("--status", "status_file", type=click.File("rb"),
              help="The issuer's status list credential (from its statusListCredential URL).")
@click.option("--did", "did_file", type=click.File("rb"),
              help="The issuer's DID document (did.json); without it, this app's own keys.")
def verify_command(file, status_file, did_file) -> None:
    """Check a credential file with no network: structure, proof, dates and status. Prints
    what it checked; exits with 1 when anything fails."""
    run = runtime()
    try:
        if did_file is not None:
            keys = did_web.assertion_keys(verifier.parse(did_file.read(), "DID document"))
            labels = {}
        else:
            keys = did_web.keys_of(did_web.did_for(run.settings.site_url),
                                   run.issuer_keys.public)
            labels = credential.key_labels(run)
        lists = {}
        if status_file is not None:
            found = verifier.read_status_list(
                status_file.read(), keys=keys, loader=credential.loader(),
                source=f"the file {status_file.name}")
            lists[found.url] = found
    except (verifier.Refused, did_web.DidDocumentError) as error:
        raise click.ClickException(str(error)) from error
    report = verifier.verify(file.read(verifier.MAX_BYTES + 1), keys=keys,
                             loader=credential.loader(), now=run.clock(),
                             status_lists=lists, key_labels=labels)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)
