"""The console's pages, one module per menu entry; each is an APIRouter whose handlers parse, call
broadcast.app and render a template."""

from broadcast.web.pages import account, bulletins, dashboard, lexicon, log, play, reports, schedule, users, voices

PAGES = [account.router, dashboard.router, bulletins.router, schedule.router, play.router, lexicon.router, log.router, reports.router, voices.router, users.router]
