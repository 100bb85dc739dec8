"""The face stack is installed and its models load; a missing model never passes silently."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from biometrics.errors import ModelsUnavailable

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, *, path_first: Path | None = None) -> subprocess.CompletedProcess[str]:
    env_path = [str(path_first)] if path_first else []
    prog = f"import sys; sys.path[:0] = {env_path!r} + [{str(ROOT)!r}]\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=120)


def test_models_load_and_work(engine, astronaut):
    # A real detection and encoding: fails (never skips) if dlib or the models are missing.
    faces = engine.detect(astronaut)
    assert len(faces) == 1
    assert engine.encode(astronaut, faces[0]).shape == (128,)


def test_import_face_recognition_really_loads():
    # face_recognition calls quit() -> exit status 0 when its models are missing: demand the marker.
    r = _run("import face_recognition\nprint('LOADED', face_recognition.__version__)")
    assert r.returncode == 0, r.stderr
    assert "LOADED" in r.stdout, f"face_recognition exited without loading: {r.stdout!r}"


def test_models_ng_needs_no_pkg_resources():
    r = _run("""
        import os, sys
        sys.modules['pkg_resources'] = None  # any use of pkg_resources now raises ImportError
        import face_recognition_models as m
        for f in (m.pose_predictor_five_point_model_location(), m.face_recognition_model_location()):
            assert os.path.isfile(f), f
        print('OK')
    """)
    assert "OK" in r.stdout, r.stderr


def test_missing_models_package_is_a_typed_error():
    r = _run("""
        import sys
        sys.modules['face_recognition_models'] = None
        from biometrics.engine import load_face_recognition
        from biometrics.errors import ModelsUnavailable
        try:
            load_face_recognition()
        except ModelsUnavailable as e:
            print('TYPED', e.message_key)
    """)
    assert "TYPED face.models_unavailable" in r.stdout, (r.stdout, r.stderr)


def test_quit_on_import_becomes_a_typed_error(tmp_path):
    # A stand-in face_recognition that behaves like the real one without its models: quit() at import.
    (tmp_path / "face_recognition.py").write_text("print('Please install face_recognition_models')\nquit()\n")
    r = _run("""
        from biometrics.engine import load_face_recognition
        from biometrics.errors import ModelsUnavailable
        try:
            load_face_recognition()
        except ModelsUnavailable as e:
            print('TYPED', e.detail)
            raise SystemExit(7)
    """, path_first=tmp_path)
    assert r.returncode == 7 and "TYPED" in r.stdout, (r.returncode, r.stdout, r.stderr)


def test_models_unavailable_carries_message_key():
    exc = ModelsUnavailable("x")
    assert exc.message_key == "face.models_unavailable" and exc.step == "models"
    with pytest.raises(ModelsUnavailable):
        raise exc
