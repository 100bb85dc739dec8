"""``python -m kiosk roster import --profile exam FILE``: put an exam roster in the site store, once for every
kiosk of the site (each keeps an encrypted copy for when the store is offline).

Prints how many candidates were stored and the rows that could not be read (row numbers and reasons,
never their content)."""

from __future__ import annotations

import argparse

from kiosk.adapters.roster import RosterError, load_roster
from kiosk.errors import UsageError
from kiosk.files import readable_file
from kiosk.settings import SettingsError, load_profile
from kiosk.store import StoreError, StoreUnavailable, site_store


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("roster", help="import an exam roster into the site store")
    parser.add_argument("action", choices=("import",))
    parser.add_argument("file", metavar="FILE", help="the roster, CSV or XLSX")
    parser.add_argument("--profile", default="exam")
    parser.add_argument("--sheet", help="only this sheet of an XLSX file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    readable_file(args.file, "FILE")
    store = site_store(profile)
    if store is None:
        raise UsageError("no site store: set KIOSK_SITE_STORE or [site] store in the profile "
                         "(a kiosk on its own reads the roster file named in its profile)")
    digits = profile.adapter.get("sbd_digits", 8)
    try:
        roster = load_roster(args.file, sheet=args.sheet, sbd_digits=int(digits) if digits else None)
        count = store.save_roster(roster.candidates)
    except RosterError as exc:
        raise UsageError(str(exc)) from exc
    except (StoreUnavailable, StoreError) as exc:
        raise UsageError(f"the roster was not imported: {exc}") from exc
    print(f"{count} candidates imported for site {profile.site} from {', '.join(roster.sources)}")
    for issue in roster.issues:
        print(f"  ! {issue.source} row {issue.row}: {issue.reason}")
    return 0
