"""``python -m kiosk site serve [--profile NAME] [--port N] [--host ADDR]``: the site page, listing every kiosk
of the profile's site (from the site store; a kiosk on its own shows itself), and ``/metrics`` for
Prometheus. Listens on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse

from kiosk.commands.arguments import integer
from kiosk.errors import UsageError
from kiosk.settings import SettingsError, load_profile
from kiosk.store import site_store_url, status_store


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("site", help="the site page: every kiosk of the site, and their metrics")
    parser.add_argument("action", choices=("serve",))
    parser.add_argument("--profile", default="demo", help="the profile naming the site and its store")
    parser.add_argument("--port", type=integer(0, 65535), default=8470, help="default 8470")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.site.page import SitePage

    try:
        profile = load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    store = status_store(profile)
    try:
        page = SitePage(profile.site, store.kiosks, host=args.host, port=args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    where = "the site store" if site_store_url(profile) else "this kiosk's own records (no site store)"
    print(f"site {profile.site}: {page.url}/ (kiosks from {where}), metrics at {page.url}/metrics", flush=True)
    try:
        page.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        page.server.server_close()
    return 0
