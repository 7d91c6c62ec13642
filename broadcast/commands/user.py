"""`broadcast user add|list|passwd|set`: the console's users (the first admin is made here)."""

from __future__ import annotations

import click

from broadcast.app import users


def _data_dir():
    return click.get_current_context().obj.settings.data_dir


def _password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


@click.group("user")
def user() -> None:
    """Users of the web console: editor (biên tập viên), approver (lãnh đạo duyệt), admin (quản trị)."""


@user.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(list(users.ROLES)),
              help="Repeat for several roles.")
@click.option("--full-name", default="", help="The person's name as the console shows it.")
def add(name: str, roles: tuple[str, ...], full_name: str) -> None:
    """Add user NAME (asks for the password twice)."""
    made = users.add_user(_data_dir(), name, _password(), roles, full_name)
    click.echo(f"added {made.name} ({', '.join(sorted(made.roles))})")


@user.command("list")
def list_() -> None:
    """The users, their roles and whether they can log in."""
    for u in users.list_users(_data_dir()):
        state = "active" if u.active else "disabled"
        click.echo(f"{u.name:16} {','.join(sorted(u.roles)):24} {state:8} {u.full_name}")


@user.command("passwd")
@click.argument("name")
def passwd(name: str) -> None:
    """Set NAME's password (ends their open sessions and lifts a lock-out)."""
    users.update_user(_data_dir(), name, password=_password())
    click.echo(f"password of {name} changed")


@user.command("set")
@click.argument("name")
@click.option("--role", "roles", multiple=True, type=click.Choice(list(users.ROLES)), help="Replace the roles.")
@click.option("--full-name", default=None)
@click.option("--disable/--enable", "disabled", default=None, help="Stop (or allow again) this user's logins.")
def set_(name: str, roles: tuple[str, ...], full_name: str | None, disabled: bool | None) -> None:
    """Change NAME's roles, name, or whether the account is active."""
    changed = users.update_user(_data_dir(), name, roles=roles or None, full_name=full_name,
                                active=None if disabled is None else not disabled)
    click.echo(f"{changed.name}: {','.join(sorted(changed.roles))}, {'active' if changed.active else 'disabled'}")


COMMANDS = [user]
