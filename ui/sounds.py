"""Short sounds for success and failure, so the outcome is heard as well as seen.

Tones are generated (no audio files in the repository) into the cache folder and played with Qt
Multimedia's ``QSoundEffect`` when it is installed (the full ``PySide6`` wheel). With
``PySide6-Essentials`` alone they are played by ALSA's ``aplay`` in the background when the machine has
it (Debian's alsa-utils), so success and failure still sound different; the system beep is the last
resort. ``played`` records what was asked
(for tests, and where no sound device exists).
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ui.i18n import cache_dir

log = logging.getLogger(__name__)

TONES = {"success": ((660, 0.12), (880, 0.18)), "failure": ((440, 0.18), (330, 0.28)), "attention": ((740, 0.1),),
         "take_card": ((988, 0.09), (0, 0.06), (988, 0.09), (0, 0.06), (988, 0.09))}  # three taps: the card
RATE = 22050


def _write_tone(path: Path, notes: tuple[tuple[int, float], ...]) -> None:
    frames = bytearray()
    for freq, seconds in notes:
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / 400, (n - i) / 400)
            frames += struct.pack("<h", int(12000 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


class Sounds:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.played: list[str] = []
        self._effects: dict[str, object] = {}
        self._aplay: str | None = None
        if not enabled:
            return
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:
            QSoundEffect = None  # noqa: N806 - played by aplay instead
        self._aplay = shutil.which("aplay")
        for name, notes in TONES.items():
            path = cache_dir().parent / "sounds" / f"{name}.wav"
            try:
                if not path.is_file():
                    _write_tone(path, notes)
            except OSError as exc:
                log.info("no sound %s: %s", name, exc)
                continue
            if QSoundEffect is not None:
                effect = QSoundEffect()
                effect.setSource(QUrl.fromLocalFile(str(path)))
                self._effects[name] = effect
            elif self._aplay:
                self._effects[name] = path

    def play(self, name: str) -> None:
        self.played.append(name)
        if not self.enabled:
            return
        effect = self._effects.get(name)
        if isinstance(effect, Path):
            try:  # in the background: the screen never waits for the sound
                subprocess.Popen([self._aplay, "-q", str(effect)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
                return
            except OSError as exc:
                log.info("aplay failed: %s", exc)
        elif effect is not None:
            effect.play()
            return
        QApplication.beep()
