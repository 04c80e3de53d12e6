"""The window's language: Qt's translation system with our zh_CN catalogue.

Every user-visible string of gui/ goes through `self.tr()` or `QCoreApplication.translate()`
(tables at module level are marked with `QT_TRANSLATE_NOOP` and translated where shown). The
catalogue is resources/translations/sam_sculpt_<lang>.ts, kept with `pyside6-lupdate` and compiled
to .qm with `pyside6-lrelease` by scripts/update_translations.py.

Language: `--lang` on the command line, else the QSettings value `gui/language`, else the system
locale (any Chinese locale -> zh_CN, anything else -> English, the source language).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from engine.resources import translations_dir

TRANSLATIONS = translations_dir()  # resources/translations, installed or in a checkout
LANGUAGES = ("en", "zh_CN")
CATALOGUE = "sam_sculpt"

_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


def system_language() -> str:
    name = QLocale.system().name()  # e.g. zh_CN, zh_TW, en_GB
    return "zh_CN" if name.lower().startswith("zh") else "en"


def choose_language(cli: str | None = None, stored: str | None = None) -> str:
    """--lang wins, then the stored setting (unless 'auto'), then the system locale."""
    for value in (cli, stored):
        if value and value != "auto":
            return normalise(value)
    return system_language()


def normalise(value: str) -> str:
    v = value.replace("-", "_").strip()
    if v.lower().startswith("zh"):
        return "zh_CN"
    return "en"


def qm_path(lang: str) -> Path:
    return TRANSLATIONS / f"{CATALOGUE}_{lang}.qm"


def install_language(app: QCoreApplication, lang: str) -> bool:
    """Installs our catalogue and Qt's own (standard buttons, dialogs) for `lang`; English needs
    none. Replaces any previously installed ones. Returns whether our catalogue loaded."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang == "en":
        QLocale.setDefault(QLocale("en_US"))
        return True
    ours = QTranslator(app)
    ok = ours.load(str(qm_path(lang)))
    if ok:
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    QLocale.setDefault(QLocale(lang))
    return ok


def current_language() -> str:
    return "zh_CN" if _installed else "en"


def translate(context: str, text: str) -> str:
    """QCoreApplication.translate for tables marked with QT_TRANSLATE_NOOP(context, text)."""
    return QCoreApplication.translate(context, text)
