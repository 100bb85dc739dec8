"""``python -m kiosk bench fuzz``: every parser of the product is in its registry, and a run tallies inputs,
typed errors and untyped failures."""

from __future__ import annotations

import json

from kiosk.cli import main

PARSERS = {"tlv", "mrz", "ef_com", "ef_cardaccess", "dg1", "dg2", "dg11", "dg12", "dg13", "dg14",
           "dg15_active_authentication_key", "ef_sod", "master_list", "crl", "portrait_decoding",
           "boarding_pass_bcbp", "cccd_qr", "key_text", "roster_csv", "roster_xlsx", "profile_toml"}


def test_every_parser_of_the_product_is_fuzzed(capsys) -> None:
    assert main(["bench", "fuzz", "--list"]) == 0
    assert set(capsys.readouterr().out.split()) >= PARSERS


def test_a_run_counts_each_input_once(capsys) -> None:
    status = main(["bench", "fuzz", "--inputs", "40", "--only", "ef_cardaccess", "--only", "dg13", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [p["parser"] for p in report["parsers"]] == ["ef_cardaccess", "dg13"]
    for parser in report["parsers"]:
        assert parser["inputs"] == parser["parsed"] + parser["typed_errors"] + parser["untyped_failures"] == 40
        assert parser["untyped_failures"] == 0
    assert report["total"]["inputs"] == 80


def test_an_unknown_parser_is_a_usage_error(capsys) -> None:
    assert main(["bench", "fuzz", "--only", "no_such_parser"]) == 2
