"""`broadcast user`: the first admin is made from the command line; roles and passwords change there too."""

from __future__ import annotations

from click.testing import CliRunner

from broadcast.app import users
from broadcast.cli import cli


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


def test_first_admin_from_the_command_line(station, tmp_path):
    code, out = run("user", "add", "quantri", "--role", "admin", "--role", "editor", "--full-name", "Nguyễn Văn A",
                    input="mat-khau-dai\nmat-khau-dai\n")
    assert code == 0, out
    made = users.get_user(tmp_path / "data", "quantri")
    assert made.roles == {"admin", "editor"} and made.full_name == "Nguyễn Văn A"
    assert users.log_in(tmp_path / "data", "quantri", "mat-khau-dai").user.name == "quantri"
    # The hash is argon2, never the password.
    raw = (tmp_path / "data" / "desk.sqlite").read_bytes()
    assert b"mat-khau-dai" not in raw and b"$argon2id$" in raw
    code, out = run("user", "list")
    assert "quantri" in out and "admin,editor" in out


def test_disabling_the_last_admin_is_refused(station, tmp_path, run_cli):
    run("user", "add", "quantri", "--role", "admin", input="mat-khau-dai\nmat-khau-dai\n")
    code, out, err = run_cli("user", "set", "quantri", "--disable")
    assert code == 2 and "quản trị viên" in err
    assert users.get_user(tmp_path / "data", "quantri").active


def test_password_change_ends_sessions(station, tmp_path):
    run("user", "add", "bientap", "--role", "editor", input="mat-khau-dai\nmat-khau-dai\n")
    login = users.log_in(tmp_path / "data", "bientap", "mat-khau-dai")
    code, _ = run("user", "passwd", "bientap", input="mat-khau-moi\nmat-khau-moi\n")
    assert code == 0
    assert users.session(tmp_path / "data", login.token, 12) is None
    assert users.log_in(tmp_path / "data", "bientap", "mat-khau-moi")


def test_short_password_is_refused(station, run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr("click.prompt", lambda *a, **k: "ngan")
    code, out, err = run_cli("user", "add", "bientap", "--role", "editor")
    assert code == 2 and "ít nhất 8 ký tự" in err
    assert users.get_user(tmp_path / "data", "bientap") is None
