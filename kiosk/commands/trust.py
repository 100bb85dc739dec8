"""``python -m kiosk trust list [--csca PATH]``: which trust anchors (CSCAs, master lists, CRLs) are loaded."""

from __future__ import annotations

import argparse
import json

from kiosk.commands.read import trust_store


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("trust", help="show the trust anchors in use")
    parser.add_argument("action", choices=("list",))
    parser.add_argument("--csca", metavar="PATH", action="append", help="default: config/csca/")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    entries = trust_store(args.csca, simulator=False).describe()
    if args.json:
        print(json.dumps(entries, indent=2, default=str))
        return 0
    if not any(entry["kind"] == "csca" for entry in entries):
        print("no CSCA loaded: Passive Authentication will report 'unverified' (see config/csca/README.md)")
    for entry in entries:
        if entry["kind"] == "csca":
            state = "valid now" if entry["valid_now"] else "NOT valid now"
            origin = " (master list" + (", verified)" if entry["master_list_verified"] else ", signer unverified)") \
                if entry["from_master_list"] else ""
            print(f"CSCA {entry['country']}: {entry['subject']} serial {entry['serial']}, until "
                  f"{entry['not_after']}, {state}, from {entry['source']}{origin}")
        elif entry["kind"] == "master_list":
            print(f"master list: {entry['status']} ({entry['detail']}), {entry['certificates']} certificates")
        elif entry["kind"] == "crl":
            print(f"CRL: {json.dumps(entry, default=str)}")
        else:
            print(f"warning: {entry.get('detail') or entry}")
    return 0
