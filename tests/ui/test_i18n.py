"""Qt translation: every screen word has a Vietnamese translation; the .qm is built at run time, not committed."""

from __future__ import annotations

import re
from pathlib import Path

from ui import i18n

UI = Path(__file__).resolve().parents[2] / "ui"
TR = re.compile(r'\btr\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)')


def _sources() -> set[str]:
    found = set()
    for path in UI.rglob("*.py"):
        for m in TR.finditer(path.read_text("utf-8")):
            found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
    return found


def test_every_screen_word_is_translated_to_vietnamese() -> None:
    entries = {source for (context, source) in i18n.ts_entries("vi") if context == i18n.CONTEXT}
    missing = sorted(_sources() - entries)
    assert not missing, f"add these to ui/i18n/kiosk_vi.ts: {missing}"
    assert len(entries) >= 90


def test_no_compiled_translation_is_kept_in_the_repository() -> None:
    assert not list(UI.rglob("*.qm"))


def test_lrelease_from_the_wheel_builds_the_qm_into_a_cache(tmp_path, qapp) -> None:
    from PySide6.QtCore import QTranslator

    assert i18n.lrelease_path() is not None, "PySide6-Essentials ships lrelease"
    qm = i18n.compile_qm("vi", out_dir=tmp_path)
    assert qm is not None and qm.parent == tmp_path and qm.stat().st_size > 0
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("kiosk", "Try again") == "Thử lại"
    assert i18n.compile_qm("vi", out_dir=tmp_path) == qm  # reused while the .ts is unchanged


def test_without_lrelease_the_ts_file_is_read_directly(monkeypatch, tmp_path, qapp) -> None:
    monkeypatch.setattr(i18n, "lrelease_path", lambda: None)
    monkeypatch.setattr(i18n, "cache_dir", lambda: tmp_path)
    translator = i18n.make_translator("vi")
    assert isinstance(translator, i18n.TsTranslator)
    i18n.set_language("vi")
    assert i18n.tr("I agree") == "Tôi đồng ý"
    i18n.set_language("en")
    assert i18n.tr("I agree") == "I agree"


def test_session_messages_follow_the_language(qapp) -> None:
    i18n.set_language("en")
    assert i18n.message("chip.card_removed").startswith("The card was taken away")
    i18n.set_language("vi")
    assert i18n.message("chip.card_removed").startswith("Thẻ đã bị nhấc ra")
