"""`flask --app app users create`: accounts from the command line."""
from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from ..text import email_address
from ..web import runtime
from . import operations
from .passwords import password_problem

users = AppGroup("users", help="Manage user accounts.")


@users.command("create")
@click.argument("email")
@click.option("--name", "legal_name", prompt="Legal name", help="As printed on certificates.")
@click.option("--admin", is_flag=True, help="Can see every certificate and draft course.")
@click.option("--instructor", is_flag=True, help="Can preview draft courses.")
@click.option("--generate-password", is_flag=True,
              help="Generate a password and print it once, instead of prompting.")
def create_user_command(email: str, legal_name: str, admin: bool, instructor: bool,
                        generate_password: bool) -> None:
    """Create a user account."""
    try:
        email_address(email)  # checked before the password is asked for; stored normalised
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if generate_password:
        password = secrets.token_urlsafe(15)
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, (email, legal_name))
        if problem:
            raise click.BadParameter(problem, param_hint="password")
    try:
        user = operations.create_user(runtime(), email=email, password=password,
                                      legal_name=legal_name, is_admin=admin,
                                      is_instructor=instructor)
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from None
    roles = ", ".join(r for r, on in (("admin", admin), ("instructor", instructor)) if on)
    click.echo(f"Created {user.email}" + (f" ({roles})" if roles else "") + ".")
    if generate_password:
        click.echo(f"Password (shown once): {password}")
