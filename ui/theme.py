"""Look of the kiosk: large type, big touch targets, a high-contrast variant and a font-size step.

Colours always come with a word and an icon (never colour alone); both palettes keep body text above a
7:1 contrast ratio against its background.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase

FONT_STEPS = (1.0, 1.2, 1.45)  # the "A+" button cycles through these
MIN_TOUCH_PX = 64  # every button; the rule is >= 48 px
BASE_PX = 22  # body text at step 1.0
BAR_PX = 20  # the top bar's buttons keep one size, so they always fit and are always found in the same place
# fonts known to cover Vietnamese (Latin Extended Additional: ạ ả ấ ầ ẩ ẫ ậ ắ … ỹ); the first one present wins
VIETNAMESE_FONTS = ("Noto Sans", "DejaVu Sans", "Roboto", "Arial", "Liberation Sans")


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    on_primary: str
    ok: str
    warn: str
    error: str
    border: str


NORMAL = Palette(background="#f4f6f9", surface="#ffffff", text="#111418", muted="#3c4450",
                 primary="#0a4f9e", on_primary="#ffffff", ok="#0f6b2f", warn="#7a4b00", error="#a3161b",
                 border="#8a94a3")
HIGH_CONTRAST = Palette(background="#000000", surface="#000000", text="#ffffff", muted="#ffffff",
                        primary="#ffeb3b", on_primary="#000000", ok="#7dff8a", warn="#ffeb3b", error="#ff8a8a",
                        border="#ffffff")


def font_family() -> str:
    """The first installed family that covers Vietnamese; Qt's default when none is."""
    families = set(QFontDatabase.families())
    for name in VIETNAMESE_FONTS:
        if name in families:
            return name
    return QFont().family()


def covers_vietnamese(family: str, sample: str = "Tiếng Việt: ạ ả ấ ầ ẩ ẫ ậ ắ ằ ẳ ẵ ặ ẹ ẻ ẽ ế ề ể ễ ệ ỉ ị ọ ỏ ố ồ "
                                                   "ổ ỗ ộ ớ ờ ở ỡ ợ ụ ủ ứ ừ ử ữ ự ỳ ỵ ỷ ỹ đ Đ ơ ư") -> bool:
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(QFont(family))
    return all(metrics.inFontUcs4(ord(ch)) for ch in sample if not ch.isspace())


def stylesheet(high_contrast: bool = False, scale: float = 1.0) -> str:
    p = HIGH_CONTRAST if high_contrast else NORMAL
    px = round(BASE_PX * scale)
    big, title, huge = round(px * 1.35), round(px * 1.8), round(px * 3.4)
    border = 3 if high_contrast else 2
    return f"""
    QWidget {{ background: {p.background}; color: {p.text}; font-size: {px}px; }}
    QLabel {{ background: transparent; }}
    QLabel#title {{ font-size: {title}px; font-weight: bold; }}
    QLabel#lead {{ font-size: {big}px; }}
    QLabel#value {{ font-size: {big}px; font-weight: bold; }}
    QLabel#muted {{ color: {p.muted}; }}
    QLabel#digits {{ font-size: {round(px * 2.3)}px; font-weight: bold; }}
    QLabel#huge {{ font-size: {huge}px; font-weight: bold; color: {p.primary if high_contrast else p.text}; }}
    QLabel#banner {{ font-size: {big}px; font-weight: bold; border: {border}px solid {p.border};
                     border-radius: 10px; padding: 14px; background: {p.surface}; }}
    QLabel#banner[tone="ok"] {{ color: {p.ok}; border-color: {p.ok}; }}
    QLabel#banner[tone="warn"] {{ color: {p.warn}; border-color: {p.warn}; }}
    QLabel#banner[tone="error"] {{ color: {p.error}; border-color: {p.error}; }}
    QLabel#reminder {{ font-size: {big}px; font-weight: bold; color: {p.primary if high_contrast else p.text};
                       border: {border}px solid {p.border}; border-radius: 10px; padding: 10px; }}
    QLabel#warning {{ color: {p.warn}; border: {border}px dashed {p.warn}; border-radius: 8px; padding: 10px; }}
    QFrame#card {{ background: {p.surface}; border: {border}px solid {p.border}; border-radius: 14px; }}
    QFrame#topbar {{ background: {p.surface}; border-bottom: {border}px solid {p.border}; }}
    QPushButton {{ min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX}px; padding: 6px 22px;
                   font-size: {big}px; border-radius: 12px; border: {border}px solid {p.border};
                   background: {p.surface}; color: {p.text}; }}
    QPushButton:pressed {{ background: {p.border}; }}
    QPushButton:focus {{ border: {border + 2}px solid {p.primary}; }}
    QPushButton#bar {{ font-size: {BAR_PX}px; padding: 4px 12px; }}
    QPushButton#primary {{ background: {p.primary}; color: {p.on_primary}; font-weight: bold;
                           border-color: {p.primary}; }}
    QPushButton#danger {{ color: {p.error}; border-color: {p.error}; font-weight: bold; }}
    QPushButton:checked {{ background: {p.primary}; color: {p.on_primary}; }}
    QLineEdit {{ min-height: {MIN_TOUCH_PX}px; font-size: {big}px; border: {border}px solid {p.border};
                 border-radius: 10px; padding: 4px 12px; background: {p.surface}; }}
    QProgressBar {{ min-height: 28px; border: {border}px solid {p.border}; border-radius: 8px;
                    text-align: center; background: {p.surface}; }}
    QProgressBar::chunk {{ background: {p.primary}; border-radius: 6px; }}
    QProgressBar#countdownBar {{ min-height: 12px; max-height: 14px; border-radius: 6px; }}
    QProgressBar#countdownBar::chunk {{ border-radius: 4px; }}
    QScrollBar:vertical {{ width: 26px; background: {p.background}; border: {border}px solid {p.border};
                           border-radius: 8px; margin: 0; }}
    QScrollBar::handle:vertical {{ background: {p.primary}; min-height: 48px; border-radius: 6px; margin: 3px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
    QTableWidget {{ background: {p.surface}; gridline-color: {p.border}; }}
    QHeaderView::section {{ background: {p.surface}; color: {p.text}; font-weight: bold; padding: 6px;
                            border: 1px solid {p.border}; }}
    """


def palette(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else NORMAL
