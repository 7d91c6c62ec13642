"""The `broadcast` command: a click group whose commands live in broadcast/commands/."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import click

from broadcast import __version__, commands
from broadcast.errors import UserError

if TYPE_CHECKING:
    from broadcast.config import Settings


class AppContext:
    """Lazily loaded settings, shared by all commands of one invocation."""

    def __init__(self, settings_path: str | None):
        self.settings_path = settings_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            # Imported here: station.yaml's model pulls in pydantic and the engines (about half a second),
            # which `broadcast play --priority emergency` through the running service does without.
            from broadcast.config import load_settings

            self._settings = load_settings(self.settings_path)
        return self._settings


_DECLARED = re.compile(r"""@click\.(?:command|group)\(\s*["']([\w-]+)["']""")


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or help lists them all).

    Importing every area's module up front cost `broadcast play --priority emergency` about a second
    of its budget of one (password hashing, report writers, speech rules). Which module holds which
    command is read from the `@click.command("name")` lines of commands/*.py."""

    def _modules(self) -> dict[str, str]:
        found = {}
        for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
            path = Path(commands.__path__[0]) / f"{module.name}.py"
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            for name in _DECLARED.findall(text):
                found.setdefault(name, module.name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._modules()))

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in (modules := self._modules()):
            mod = importlib.import_module(f"{commands.__name__}.{modules[name]}")
            for command in getattr(mod, "COMMANDS", ()):
                self.add_command(command)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="broadcast")
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False),
    envvar="BROADCAST_SETTINGS",
    help="Station settings file (default: ./station.yaml, else built-in defaults).",
)
@click.pass_context
def cli(ctx: click.Context, settings_path: str | None) -> None:
    """Commune radio CCHC column: bulletins to speech, schedule, log and reports."""
    ctx.obj = AppContext(settings_path)


def register_all() -> None:
    """Import every command module now (tests that walk all commands)."""
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{commands.__name__}.{module.name}")
        for command in getattr(mod, "COMMANDS", ()):
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes exit 2 with one line each, our own failures exit 1."""
    try:
        # Non-standalone mode returns ctx.exit(n)'s code instead of exiting.
        code = cli.main(args=argv, prog_name="broadcast", standalone_mode=False)
    except UserError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:  # Ctrl-C inside a click prompt or progress bar
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - last line of defence: a one-line message, the trace on request
        click.echo(f"internal error (a bug in broadcast): {sys.exc_info()[1]!r}", err=True)
        if os.environ.get("BROADCAST_DEBUG"):
            traceback.print_exc()
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
