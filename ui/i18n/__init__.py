"""Languages of the kiosk screen: Vietnamese by default, English one tap away.

Two kinds of text, two sources:

* the screen's own words (buttons, titles, step names) are written in English in the code, wrapped in
  :func:`tr`, and translated by Qt from ``kiosk_vi.ts`` (this folder). The ``.ts`` file is the only
  thing in the repository; its compiled ``.qm`` is a generated file and is never committed: it is built
  at start-up with the ``lrelease`` shipped in the PySide6 wheel into a cache folder
  (``$XDG_CACHE_HOME/cccd-kiosk/i18n``, keyed by the ``.ts`` file's hash, so it is rebuilt only when
  the translations change). Where ``lrelease`` cannot run, :class:`TsTranslator` reads the ``.ts``
  file directly, so the kiosk never falls back to English silently;
* what the session tells the person (by message key) comes from :mod:`kiosk.messages`, in the language
  chosen here (:func:`message`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from kiosk.messages import message as _message

log = logging.getLogger(__name__)

CONTEXT = "kiosk"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"
SOURCE_LANGUAGE = "en"  # the strings in the code
HERE = Path(__file__).resolve().parent

_state = {"lang": DEFAULT, "translator": None}


def tr(text: str) -> str:
    """The screen's own words in the current language (Qt translation, context ``kiosk``)."""
    return QCoreApplication.translate(CONTEXT, text)


def ts_file(lang: str) -> Path:
    return HERE / f"kiosk_{lang}.ts"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cccd-kiosk" / "i18n"


def lrelease_path() -> str | None:
    """The ``lrelease`` binary from the PySide6 wheel (or one on PATH)."""
    try:
        import PySide6
    except ImportError:  # pragma: no cover
        return None
    for folder in getattr(PySide6, "__path__", ()):  # a namespace package when only PySide6-Essentials is in
        shipped = Path(folder) / "lrelease"
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
    return shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def compile_qm(lang: str, *, out_dir: Path | None = None) -> Path | None:
    """``kiosk_<lang>.ts`` compiled to ``.qm`` in the cache (reused while the ``.ts`` is unchanged)."""
    source = ts_file(lang)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = (out_dir or cache_dir()) / f"kiosk_{lang}-{digest}.qm"
    if target.is_file() and target.stat().st_size > 0:
        return target
    tool = lrelease_path()
    if tool is None:
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run([tool, "-silent", str(source), "-qm", str(partial)], check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.replace(partial, target)
        for old in target.parent.glob(f"kiosk_{lang}-*.qm"):  # earlier versions of the translations
            if old != target:
                old.unlink(missing_ok=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("lrelease could not compile %s (%s); reading the .ts file directly", source.name, exc)
        return None
    return target


@cache
def _ts_entries(lang: str) -> dict[tuple[str, str], str]:
    root = ET.parse(ts_file(lang)).getroot()
    entries: dict[tuple[str, str], str] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for msg in context.iter("message"):
            source, translation = msg.find("source"), msg.find("translation")
            if source is None or translation is None or not (translation.text or "").strip():
                continue
            if translation.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            entries[(name, source.text or "")] = translation.text or ""
    return entries


def ts_entries(lang: str) -> dict[tuple[str, str], str]:
    """(context, source) -> translation, as the ``.ts`` file holds them (finished ones only)."""
    return dict(_ts_entries(lang))


class TsTranslator(QTranslator):
    """Fallback when no ``.qm`` can be built: translates straight from the ``.ts`` file."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._entries = _ts_entries(lang)

    def translate(self, context, source_text, disambiguation=None, n=-1):
        return self._entries.get((context, source_text), "")

    def isEmpty(self) -> bool:  # noqa: N802 (Qt name)
        return not self._entries


def make_translator(lang: str) -> QTranslator | None:
    """A translator for ``lang``, or None for the source language (English)."""
    if lang == SOURCE_LANGUAGE:
        return None
    qm = compile_qm(lang)
    if qm is not None:
        translator = QTranslator()
        if translator.load(str(qm)):
            return translator
        log.warning("Qt could not load %s; reading the .ts file directly", qm)
    return TsTranslator(lang)


def set_language(lang: str) -> None:
    """Switch the whole screen: Qt sends every widget a LanguageChange event (screens retranslate)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
    app = QCoreApplication.instance()
    old = _state["translator"]
    translator = make_translator(lang)
    _state["lang"] = lang
    _state["translator"] = translator
    if app is not None:
        if old is not None:
            app.removeTranslator(old)
        if translator is not None:
            app.installTranslator(translator)
        elif old is not None:
            pass  # removeTranslator already sent the LanguageChange event


def language() -> str:
    return _state["lang"]


def message(key: str, params: Mapping[str, str] | None = None) -> str:
    """What the session says (by message key, with its placeholders' ``params``) in the current language."""
    text = _message(key, params)
    return text.en if _state["lang"] == "en" else text.vi
