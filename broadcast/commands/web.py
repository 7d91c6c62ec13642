"""`broadcast web`: the editor's console, its own process beside `broadcast run` (systemd: scripts/broadcast-web.service)."""

from __future__ import annotations

import click


@click.command("web")
@click.option("--host", help="Address to listen on (default: web.host in station.yaml, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: web.port in station.yaml, 8080).")
def web(host: str | None, port: int | None) -> None:
    """Serve the Vietnamese web console (bulletins, approval, schedule, log, reports) over HTTP."""
    import uvicorn

    from broadcast.web.server import create_app

    settings = click.get_current_context().obj.settings
    host, port = host or settings.web.host, port or settings.web.port
    click.echo(f"console: http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=False, server_header=False)


COMMANDS = [web]
