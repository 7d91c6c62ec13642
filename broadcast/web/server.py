"""The console's FastAPI application: pages in Vietnamese over broadcast.app, served by uvicorn.

Its own process (`broadcast web`), separate from the playout service: it reaches a running service
only through the control socket, and everything else through the application layer. Handlers parse,
call app/, render a template; nothing else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import URLSafeSerializer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from broadcast import __version__
from broadcast.config import Settings
from broadcast.web import filters
from broadcast.web.auth import COOKIE, Auth, BadCsrf, Forbidden, NeedLogin, load_secret, login_redirect_target
from broadcast.web.console import Console, console_of
from broadcast.web.pages import PAGES

HERE = Path(__file__).resolve().parent

def _static_version() -> str:
    """Changes whenever a static file does, so a browser never keeps an old script or stylesheet (they are
    cached for a day)."""
    digest = hashlib.sha256(__version__.encode())
    for file in sorted((HERE / "static").rglob("*")):
        if file.is_file():
            digest.update(file.name.encode() + file.read_bytes())
    return digest.hexdigest()[:12]


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="broadcast", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["static_version"] = _static_version()
    filters.install(templates.env, settings)
    auth = Auth(settings.data_dir, settings.web.session_hours)
    app.state.console = Console(settings, auth, templates, URLSafeSerializer(load_secret(settings.data_dir), salt="flash"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in PAGES:
        app.include_router(router)

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin) -> Response:
        response = RedirectResponse(login_redirect_target(request), status_code=303)
        if request.cookies.get(COOKIE):
            response.delete_cookie(COOKIE, path="/")
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return console_of(request).page(request, "error.html", status_code=403, title="Không có quyền",
                                        message=exc.message)

    @app.exception_handler(BadCsrf)
    async def _bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return console_of(request).page(request, "error.html", status_code=403, title="Yêu cầu bị từ chối",
                                        message="Biểu mẫu đã cũ hoặc không gửi từ trang này. Hãy tải lại trang rồi thử lại.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Không tìm thấy trang", 405: "Không hỗ trợ thao tác này"}
        return console_of(request).page(request, "error.html", status_code=exc.status_code,
                                        title=titles.get(exc.status_code, "Lỗi"),
                                        message=exc.detail if isinstance(exc.detail, str) and exc.status_code != 404
                                        else "Địa chỉ này không có trong bảng điều khiển.")

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        response = await call_next(request)
        # Everything is served from here: no CDN, no framing by other sites, no inline scripts.
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=86400"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app

