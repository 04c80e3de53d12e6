"""Light and dark Fusion palettes. `auto` follows the system's colour scheme (Qt's style hints;
dark when the platform does not say). The text colours of the image list and the proposal table
come from `colour()`, so they stay readable on both backgrounds (contrast >= 4.5:1 against the
list's base colour, checked in tests/gui/test_i18n_theme.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("auto", "light", "dark")

# text colours on the list/table base colour of each theme
_COLOURS: dict[str, dict[str, str]] = {
    "dark": {
        "new": "#c8c8c8", "in progress": "#ffd23f", "done": "#2ee66b", "flagged": "#ff8c1a", "error": "#ff6b6b",
        "pending": "#ffd23f", "accepted": "#2ee66b", "rejected": "#ff6b6b",
        "positive": "#2ee66b", "negative": "#ff5c5c", "canvas": "#28282c", "muted": "#8c8c8c",
    },
    "light": {
        "new": "#3c3c3c", "in progress": "#8a5a00", "done": "#107a32", "flagged": "#b04a00", "error": "#c01818",
        "pending": "#8a5a00", "accepted": "#107a32", "rejected": "#c01818",
        "positive": "#107a32", "negative": "#c01818", "canvas": "#5a5a60", "muted": "#6a6a6a",
    },
}
_current = "dark"


def system_theme() -> str:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None and hasattr(hints, "colorScheme") else None
    if scheme == Qt.ColorScheme.Light:
        return "light"
    return "dark"  # Dark, or Unknown (no desktop portal, Xvfb): the canvas reads best on dark


def resolve_theme(choice: str | None) -> str:
    return choice if choice in ("light", "dark") else system_theme()


def current_theme() -> str:
    return _current


def colour(key: str) -> QColor:
    """A text colour for the current theme (state names, statuses, point signs)."""
    return QColor(_COLOURS[_current].get(key, _COLOURS[_current]["new"]))


def base_colour(theme: str | None = None) -> QColor:
    return _palette(theme or _current).color(QPalette.ColorRole.Base)


def _palette(theme: str) -> QPalette:
    p = QPalette()
    if theme == "dark":
        base, window, text = QColor(36, 38, 42), QColor(48, 50, 56), QColor(225, 225, 225)
        tip_base, bright, disabled, placeholder = QColor(20, 20, 24), QColor(255, 80, 80), QColor(120, 120, 120), QColor(140, 140, 140)
        link = QColor(110, 170, 255)
    else:
        base, window, text = QColor(255, 255, 255), QColor(239, 239, 242), QColor(20, 20, 24)
        tip_base, bright, disabled, placeholder = QColor(255, 255, 225), QColor(190, 0, 0), QColor(150, 150, 150), QColor(110, 110, 110)
        link = QColor(0, 90, 190)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.ToolTipBase, tip_base)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, bright)
    p.setColor(QPalette.ColorRole.Link, link)
    p.setColor(QPalette.ColorRole.Highlight, QColor(42, 130, 218))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, placeholder)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(app: QApplication, choice: str | None = "auto") -> str:
    """Applies the light or dark palette (`auto`: the system's); returns the one applied."""
    global _current
    _current = resolve_theme(choice)
    app.setStyle("Fusion")
    app.setPalette(_palette(_current))
    return _current


def apply_dark_theme(app: QApplication) -> None:
    apply_theme(app, "dark")


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 .. 21)."""

    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
