"""`broadcast approve ID...`: a leader approves bulletins from the command line (the console does it too)."""

from __future__ import annotations

import getpass

import click

from broadcast.app import approval


@click.command("approve")
@click.argument("ids", nargs=-1)
@click.option("--as", "who", default=None, help="Name recorded in the audit trail (default: cli:<login name>).")
@click.option("--comment", default="", help="A note kept with the approval.")
@click.option("--list", "list_only", is_flag=True, help="Show every bulletin's approval state instead.")
def approve(ids: tuple[str, ...], who: str | None, comment: str, list_only: bool) -> None:
    """Approve the current content of bulletins ID... so they go into programmes (when approval is required)."""
    settings = click.get_current_context().obj.settings
    if list_only or not ids:
        from broadcast.content.bulletin import load_each

        bulletins, _ = load_each([settings.bulletins_dir])
        required = "required" if settings.approval.required else "not required (approval.required: false)"
        click.echo(f"approval is {required}")
        for state in approval.bulletin_states(settings, bulletins).values():
            click.echo(f"{state.bulletin.id:32} {state.status.state.value:9} {state.bulletin.title}")
        return
    who = who or f"cli:{getpass.getuser()}"
    for bulletin_id in ids:
        done = approval.approve(settings, bulletin_id, who, comment=comment)
        click.echo(f"approved {bulletin_id} (content {done.content_hash[:12]}) as {who}")


COMMANDS = [approve]
