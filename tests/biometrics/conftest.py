"""Shared fixtures: the face models are loaded once per test session (and must load: no skipping)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

# ../shared/faces beside the repository (as CI lays it out); KIOSK_SHARED_FACES points elsewhere (a worktree).
SHARED_FACES = Path(os.environ.get("KIOSK_SHARED_FACES") or Path(__file__).resolve().parents[2].parent / "shared"
                    / "faces")


@pytest.fixture(scope="session")
def engine():
    from biometrics.engine import FaceEngine

    # Deliberately not skipped: if the models cannot load, every face test must fail loudly.
    return FaceEngine.default()


@pytest.fixture(scope="session")
def matcher(engine):
    from biometrics.matcher import Matcher

    return Matcher(engine)


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from biometrics.portrait import demo_face_rgb

    return demo_face_rgb()


@pytest.fixture(scope="session")
def chip_bytes(astronaut, engine) -> bytes:
    from biometrics.portrait import make_chip_like

    return make_chip_like(astronaut, engine)


def kiosk_frame(face_rgb: np.ndarray, seed: int = 0, shift: int = 0) -> np.ndarray:
    """A 640x480 camera-like frame with the astronaut's head about 110-140 px high."""
    from biometrics.evaluation import camera_like

    canvas = np.full((480, 640, 3), 90, np.uint8)
    crop = face_rgb[0:300, 70:370]
    x = 80 + shift
    canvas[0:480, x : x + 480] = cv2.resize(crop, (480, 480))
    return camera_like(canvas, random.Random(seed))


@pytest.fixture(scope="session")
def live_frames(astronaut) -> list[np.ndarray]:
    return [kiosk_frame(astronaut, seed=s, shift=(s % 3 - 1) * 20) for s in range(6)]


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    if not SHARED_FACES.is_dir():
        pytest.skip(f"test photos not present at {SHARED_FACES} (../shared/faces beside the repository)")
    return SHARED_FACES
