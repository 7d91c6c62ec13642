"""The CLI imports a command's module only when that command runs: the commands it finds by reading
commands/*.py are exactly those the modules declare."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from broadcast import commands
from broadcast.cli import cli


def test_the_commands_found_without_importing_are_the_declared_ones():
    declared = set()
    for module in pkgutil.iter_modules(commands.__path__):
        mod = importlib.import_module(f"{commands.__name__}.{module.name}")
        declared |= {c.name for c in getattr(mod, "COMMANDS", ())}
    assert set(cli._modules()) == declared


def test_running_one_command_does_not_import_the_others():
    code = ("import sys\nfrom broadcast.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('broadcast.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
