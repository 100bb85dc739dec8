"""Synthetic sequences for measuring liveness: photo attacks (a printed photo or a screen moved, tilted and
bent in front of the camera) and a crude 3D head turn (a depth-mapped face rotated), rendered by point
splatting with a z-buffer. For tests and evaluation, not for the check itself."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

OUT_SIZE = (640, 480)


def _rot(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rz @ rx @ ry


def _splat(points: np.ndarray, colours: np.ndarray, background: int = 70, focal: float = 900.0,
           distance: float = 900.0, offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    w, h = OUT_SIZE
    z = points[:, 2] + distance
    u = np.round(focal * points[:, 0] / z + w / 2 + offset[0]).astype(int)
    v = np.round(focal * points[:, 1] / z + h / 2 + offset[1]).astype(int)
    ok = (u >= 0) & (u < w) & (v >= 0) & (v < h) & (z > 1)
    order = np.argsort(-z[ok], kind="stable")  # far first; nearer points overwrite
    out = np.full((h, w, 3), background, np.uint8)
    out[v[ok][order], u[ok][order]] = colours[ok][order]
    return out


def _surface(rgb: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    h, w = rgb.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    # Two samples a pixel in each direction so the splat has no holes.
    sub = np.array([0.0, 0.5])
    xs = np.broadcast_to(xs[..., None, None] + sub[None, None, :, None], (h, w, 2, 2)).ravel()
    ys = np.broadcast_to(ys[..., None, None] + sub[None, None, None, :], (h, w, 2, 2)).ravel()
    cols = np.repeat(rgb.reshape(-1, 3), 4, axis=0)
    return np.stack([(xs - w / 2) * scale, (ys - h / 2) * scale], axis=1), cols


def photo_attack(rgb: np.ndarray, *, yaws: np.ndarray, pitch: float = 0.0, roll: float = 0.0,
                 bend: float = 0.0, shift: tuple[float, float] = (0.0, 0.0), size: float = 420.0,
                 background: int = 70) -> list[np.ndarray]:
    """Frames of a flat (``bend=0``) or bent (cylinder, curvature ``bend`` per unit width) photo of
    ``rgb`` rotated by each yaw angle (radians), with the given pitch, roll and a drift ``shift``."""
    h, w = rgb.shape[:2]
    xy, cols = _surface(rgb, size / max(h, w))
    x, y = xy[:, 0], xy[:, 1]
    if bend:
        r = size / bend
        phi = x / r
        pts = np.stack([r * np.sin(phi), y, r * (1 - np.cos(phi))], axis=1)
    else:
        pts = np.stack([x, y, np.zeros_like(x)], axis=1)
    frames = []
    n = len(yaws)
    for k, yaw in enumerate(yaws):
        r3 = _rot(float(yaw), pitch * k / max(n - 1, 1), roll * k / max(n - 1, 1))
        off = (shift[0] * k / max(n - 1, 1), shift[1] * k / max(n - 1, 1))
        frames.append(_splat(pts @ r3.T, cols, background, offset=off))
    return frames


def head_turn(rgb: np.ndarray, landmarks5: np.ndarray, box: tuple[int, int, int, int], *, yaws: np.ndarray,
              size: float = 420.0, background: int = 70) -> list[np.ndarray]:
    """A crude 3D head: the face region lifted onto an ellipsoid with a nose bump at the nose landmark,
    rotated about the head's vertical axis. A stand-in for a real person, to check that the checker can
    accept genuine 3D motion at all (not a BPCER measurement)."""
    h, w = rgb.shape[:2]
    s = size / max(h, w)
    xy, cols = _surface(rgb, s)
    top, right, bottom, left = box
    cx, cy = (left + right) / 2 - w / 2, (top + bottom) / 2 - h / 2
    fw = (right - left)
    ax, ay = 0.75 * fw, 1.0 * fw
    px, py = xy[:, 0] / s - cx, xy[:, 1] / s - cy
    e = 1 - (px / ax) ** 2 - (py / ay) ** 2
    depth = np.where(e > 0, 0.7 * fw * np.sqrt(np.clip(e, 0, 1)), 0.0)
    nx, ny = landmarks5[4][0] - w / 2 - cx, landmarks5[4][1] - h / 2 - cy - 0.12 * fw
    depth += 0.22 * fw * np.exp(-(((px - nx) / (0.09 * fw)) ** 2 + ((py - ny) / (0.16 * fw)) ** 2))
    pts = np.stack([xy[:, 0] - cx * s, xy[:, 1] - cy * s, -depth * s], axis=1)
    frames = []
    for yaw in yaws:
        r3 = _rot(float(yaw), 0.0, 0.0)
        p = pts @ r3.T
        p[:, 0] += cx * s
        p[:, 1] += cy * s
        frames.append(_splat(p, cols, background))
    return frames


def attack_grid(rgb: np.ndarray, rng) -> list[tuple[str, list[np.ndarray]]]:
    """Photo-attack sequences for ``rgb``: flat, tilted, bent, rolled and drifting photos turned either
    way by up to 40-60 degrees, with randomised amplitudes (``rng`` is a ``random.Random``)."""
    out = []
    for sign in (1, -1):
        for name, kw in (("flat", {}), ("tilted", {"pitch": 0.3}), ("bent", {"bend": 1.0}),
                         ("bent_rolled", {"bend": 2.0, "roll": 0.2}), ("drifting", {"shift": (60.0, 20.0)}),
                         ("tilted_bent", {"pitch": -0.25, "bend": 1.5})):
            top = np.radians(rng.uniform(40, 60))
            yaws = sign * np.linspace(0, top, 10)
            out.append((f"{name}{'+' if sign > 0 else '-'}", photo_attack(rgb, yaws=yaws, **kw)))
    return out


# --- timed sequences for the two-turn challenge ------------------------------------------------------

TURN_S = 0.45  # time to reach the turned pose, and again to come back
HOLD_S = 0.35


def yaw_profile(directions: Sequence[int], starts: Sequence[float], times: np.ndarray, amplitude: float) -> np.ndarray:
    """Yaw (radians) at each time: frontal, then for each start a turn of ``amplitude`` in ``directions``
    (+1 = the person's right in :func:`head_turn`), held, and back to frontal."""
    yaw = np.zeros_like(times, dtype=float)
    for d, s in zip(directions, starts, strict=True):
        up = np.clip((times - s) / TURN_S, 0, 1)
        down = np.clip((times - s - TURN_S - HOLD_S) / TURN_S, 0, 1)
        yaw += d * amplitude * (up - down)
    return yaw


def plan_directions(plan) -> list[int]:
    """+1 for a turn to the person's right, -1 for the left (``plan`` is a liveness ChallengePlan)."""
    return [1 if p.challenge.value == "turn_right" else -1 for p in plan.prompts]


def frame_times(duration_s: float, fps: float) -> np.ndarray:
    return np.arange(0.0, duration_s, 1.0 / fps)


def screen_replay(frames: Sequence[np.ndarray], rng, *, out_size: tuple[int, int] = OUT_SIZE,
                  background: int = 60) -> list[np.ndarray]:
    """A video played on a phone held in front of the camera: each frame as an emitting screen (gamma, a
    cool white point, a faint moiré of the pixel grid beating with the camera's sensor, a glare band), set
    in the camera frame at 85% of its height with a slowly drifting hand-held pose."""
    w_out, h_out = out_size
    drift = np.array([rng.uniform(-20, 20), rng.uniform(-10, 10)])
    tilt = rng.uniform(-0.08, 0.08)
    fx, fy, phase = rng.uniform(0.08, 0.2), rng.uniform(0.05, 0.15), rng.uniform(0, 2 * np.pi)
    out = []
    for k, img in enumerate(frames):
        h, w = img.shape[:2]
        sh = round(0.85 * h_out)
        sw = round(w * sh / h)
        scr = cv2.resize(np.ascontiguousarray(img), (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
        ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
        moire = 1.0 + 0.04 * np.sin(fx * xs + fy * ys + phase)
        glare = 25.0 * np.exp(-(((xs - 0.7 * sw) / (0.15 * sw)) ** 2))
        scr = 255.0 * (scr / 255.0) ** 0.85 * np.array([0.93, 0.98, 1.06], np.float32)
        scr = np.clip(scr * moire[..., None] + glare[..., None], 0, 255).astype(np.uint8)
        t = k / max(len(frames) - 1, 1)
        cx, cy = w_out / 2 + drift[0] * t, h_out / 2 + drift[1] * t
        src = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
        dst = np.float32([[cx - sw / 2, cy - sh / 2 * (1 - tilt)], [cx + sw / 2, cy - sh / 2 * (1 + tilt)],
                          [cx + sw / 2, cy + sh / 2 * (1 + tilt)], [cx - sw / 2, cy + sh / 2 * (1 - tilt)]])
        m = cv2.getPerspectiveTransform(src, dst)
        out.append(cv2.warpPerspective(scr, m, (w_out, h_out), flags=cv2.INTER_LINEAR,
                                       borderValue=(background,) * 3))
    return out


def _timed(images: Sequence[np.ndarray], times: np.ndarray):
    from biometrics.frames import Frame

    return [Frame(im, k, float(t)) for k, (im, t) in enumerate(zip(images, times, strict=True))]


def answering_head(rgb: np.ndarray, landmarks5: np.ndarray, box: tuple[int, int, int, int], plan, *,
                   fps: float = 8.0, latency: float = 0.35, amplitude: float = np.radians(40),
                   extra_s: float = 1.6) -> list:
    """Timed frames of the synthetic 3D head answering ``plan`` (a liveness ChallengePlan) ``latency``
    seconds after each prompt: a stand-in for a person doing the challenge."""
    times = frame_times(plan.duration_s + extra_s, fps)
    starts = [p.at_s + latency for p in plan.prompts]
    yaws = yaw_profile(plan_directions(plan), starts, times, amplitude)
    return _timed(head_turn(rgb, landmarks5, box, yaws=yaws), times)


def answering_photo(rgb: np.ndarray, plan, *, fps: float = 8.0, latency: float = 0.35,
                    amplitude: float = np.radians(50), extra_s: float = 1.6, **photo_kw) -> list:
    """Timed frames of a printed photo turned on cue, ``latency`` seconds after each prompt (the strongest
    photo attacker: one who sees the prompts). ``photo_kw`` go to :func:`photo_attack` (bend, pitch, ...)."""
    times = frame_times(plan.duration_s + extra_s, fps)
    starts = [p.at_s + latency for p in plan.prompts]
    # photo_attack turns the sheet the other way round from head_turn for the same sign
    yaws = -yaw_profile(plan_directions(plan), starts, times, amplitude)
    return _timed(photo_attack(rgb, yaws=yaws, **photo_kw), times)
