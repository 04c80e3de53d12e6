"""The settings dialog and its QSettings store. Only plain choices are stored; API keys come from
the environment or the keyring and are never written (store() refuses secret-looking keys)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.registry import CRITICS, SEGMENTERS
from engine.settings import deep_merge, is_secret_key
from gui.backend_combo import BackendCombo, hint_for

QSETTINGS_ENV = "SAM_SCULPT_QSETTINGS"  # an .ini path; tests point it at a temp file
API_KEY_ENVS = {"dashscope": "DASHSCOPE_API_KEY", "openai": "OPENAI_API_KEY"}

# QSettings key -> (section path in the engine settings, type)
ENGINE_KEYS: dict[str, tuple[tuple[str, ...], type]] = {
    "segmenter/name": (("segmenter", "name"), str),
    "segmenter/sam_checkpoint": (("segmenter", "options", "sam", "checkpoint"), str),
    "segmenter/sam_device": (("segmenter", "options", "sam", "device"), str),
    "segmenter/sam_hf_dir": (("segmenter", "options", "sam-hf", "model_dir"), str),
    "segmenter/sam_hf_device": (("segmenter", "options", "sam-hf", "device"), str),
    "critic/name": (("critic", "name"), str),
    "critic/qwen_dir": (("critic", "options", "qwen", "model_path"), str),
    "critic/heuristic_min_evidence": (("critic", "options", "heuristic", "min_evidence"), float),
    "critic/qwen_device": (("critic", "options", "qwen", "device"), str),
    "critic/dashscope_model": (("critic", "options", "dashscope", "model"), str),
    "critic/openai_base_url": (("critic", "options", "openai", "base_url"), str),
    "critic/openai_model": (("critic", "options", "openai", "model"), str),
    "sculpt/ratio": (("sculpt", "ratio"), float),
    "sculpt/anchors_k": (("sculpt", "anchors_k"), int),
    "sculpt/rounds": (("sculpt", "rounds"), int),
    "sculpt/vlm_max_side": (("sculpt", "vlm_max_side"), int),
    "sculpt/strategy": (("sculpt", "strategy"), str),
    "gui/out_dir": (("gui", "out_dir"), str),
    "gui/work_dir": (("gui", "work_dir"), str),
    "gui/gt_instances": (("gui", "gt_instances"), str),
    "gui/language": (("gui", "language"), str),
    "gui/theme": (("gui", "theme"), str),
    "gui/confidence_threshold": (("gui", "confidence_threshold"), float),
    "gui/below_threshold": (("gui", "below_threshold"), str),
}
FOLDER_KEYS = ("gui/out_dir", "gui/work_dir", "gui/gt_instances")
DEVICES = ("auto", "cpu", "cuda", "mps")


def open_qsettings() -> QSettings:
    path = os.environ.get(QSETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "sam-sculpt", "gui")


def _is_secret(key: str) -> bool:
    return any(is_secret_key(part) for part in (key, *key.split("/")))


def store(qs: QSettings, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if _is_secret(key) or value is None:
            continue
        if value == "":
            qs.remove(key)
        else:
            qs.setValue(key, value)
    qs.sync()


def engine_overrides(qs: QSettings) -> dict[str, Any]:
    """The stored choices as a nested override for engine.settings.load_settings()."""
    out: dict[str, Any] = {}
    for key, (path, typ) in ENGINE_KEYS.items():
        raw = qs.value(key)
        if raw is None or raw == "":
            continue
        try:
            value = typ(raw)
        except (TypeError, ValueError):
            continue
        if path[-1] == "device" and value == "auto":
            continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def apply_overrides(settings: dict[str, Any], qs: QSettings) -> dict[str, Any]:
    return deep_merge(settings, engine_overrides(qs))


def api_key_status() -> str:
    """Where each API critic would find its key (environment or keyring), without reading it out."""
    from engine.critics.secrets import KEYRING_SERVICE

    parts = []
    for backend, env in API_KEY_ENVS.items():
        where = "environment" if os.environ.get(env, "").strip() else None
        if where is None:
            try:
                import keyring

                if keyring.get_password(KEYRING_SERVICE, env):
                    where = "keyring"
            except Exception:  # noqa: BLE001 - no keyring backend on this machine
                where = None
        if where == "environment":
            state = QCoreApplication.translate("SettingsDialog", "found in the environment")
        elif where == "keyring":
            state = QCoreApplication.translate("SettingsDialog", "found in the keyring")
        else:
            state = QCoreApplication.translate("SettingsDialog", "not set ({0} or the keyring)").format(env)
        parts.append(f"{backend}: {state}")
    return "\n".join(parts)


def _text(value: Any) -> str:
    """A setting as the text of a line edit: an unset (null) one is empty, never 'None'."""
    return "" if value is None else str(value)


def _get(settings: dict[str, Any], path: tuple[str, ...], default: Any = "") -> Any:
    node: Any = settings
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


class SettingsDialog(QDialog):
    """`out_dir` / `work_dir`: the folders the session really uses (e.g. from --out); the dialog
    shows them, and OK stores a folder only when the annotator changed it."""

    def __init__(self, settings: dict[str, Any], parent=None, out_dir: Path | str | None = None,
                 work_dir: Path | str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        seg = QGroupBox(self.tr("Segmenter"))
        fs = QFormLayout(seg)
        self.segmenter = BackendCombo("segmenters", SEGMENTERS.names(), settings["segmenter"]["name"], settings)
        self.sam_checkpoint = self._path_edit(_get(settings, ENGINE_KEYS["segmenter/sam_checkpoint"][0]), False)
        self.sam_hf_dir = self._path_edit(_get(settings, ENGINE_KEYS["segmenter/sam_hf_dir"][0]), True)
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(str(_get(settings, ENGINE_KEYS["segmenter/sam_device"][0], "auto")) or "auto")
        fs.addRow(self.tr("Backend"), self.segmenter)
        fs.addRow(self.segmenter.hint)
        fs.addRow(self.tr("sam checkpoint"), self.sam_checkpoint)
        fs.addRow(self.tr("sam-hf folder"), self.sam_hf_dir)
        fs.addRow(self.tr("Device"), self.device)

        crit = QGroupBox(self.tr("Critic"))
        fc = QFormLayout(crit)
        self.critic = BackendCombo("critics", CRITICS.names(), settings["critic"]["name"], settings)
        self.qwen_dir = self._path_edit(_get(settings, ENGINE_KEYS["critic/qwen_dir"][0]), True)
        self.dashscope_model = QLineEdit(_text(_get(settings, ENGINE_KEYS["critic/dashscope_model"][0])))
        self.openai_base_url = QLineEdit(_text(_get(settings, ENGINE_KEYS["critic/openai_base_url"][0])))
        self.openai_model = QLineEdit(_text(_get(settings, ENGINE_KEYS["critic/openai_model"][0])))
        self.min_evidence = QDoubleSpinBox()
        self.min_evidence.setRange(0.0, 1.0)
        self.min_evidence.setSingleStep(0.05)
        self.min_evidence.setValue(float(_get(settings, ENGINE_KEYS["critic/heuristic_min_evidence"][0], 0.25) or 0.0))
        self.min_evidence.setToolTip(self.tr("The heuristic baseline proposes a point only where its evidence reaches "
                                             "this: lower it (e.g. 0.05) when Propose / Auto find nothing."))
        keys = QLabel(api_key_status())
        keys.setToolTip(self.tr("API keys are read from the environment or the system keyring and never stored here."))
        fc.addRow(self.tr("Backend"), self.critic)
        fc.addRow(self.critic.hint)
        fc.addRow(self.tr("heuristic min. evidence"), self.min_evidence)
        fc.addRow(self.tr("qwen model folder"), self.qwen_dir)
        fc.addRow(self.tr("dashscope model"), self.dashscope_model)
        fc.addRow(self.tr("openai base URL"), self.openai_base_url)
        fc.addRow(self.tr("openai model"), self.openai_model)
        fc.addRow(self.tr("API keys"), keys)

        par = QGroupBox(self.tr("Parameters"))
        fp = QFormLayout(par)
        sc = settings["sculpt"]
        self.ratio = QDoubleSpinBox()
        self.ratio.setRange(0.05, 4.0)
        self.ratio.setSingleStep(0.05)
        self.ratio.setValue(float(sc["ratio"]))
        self.anchors_k = QSpinBox()
        self.anchors_k.setRange(1, 8)
        self.anchors_k.setValue(int(sc["anchors_k"]))
        self.rounds = QSpinBox()
        self.rounds.setRange(0, 20)
        self.rounds.setValue(int(sc["rounds"]))
        self.vlm_max_side = QSpinBox()
        self.vlm_max_side.setRange(64, 4096)
        self.vlm_max_side.setValue(int(sc["vlm_max_side"]))
        self.strategy = QComboBox()
        self.strategy.addItem(self.tr("anchors"), "anchors")
        self.strategy.addItem(self.tr("direct"), "direct")
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(sc["strategy"])))
        fp.addRow(self.tr("Square ratio"), self.ratio)
        fp.addRow(self.tr("Anchors K"), self.anchors_k)
        fp.addRow(self.tr("Rounds (Auto)"), self.rounds)
        fp.addRow(self.tr("VLM max side"), self.vlm_max_side)
        fp.addRow(self.tr("Strategy"), self.strategy)

        out = QGroupBox(self.tr("Folders"))
        fo = QFormLayout(out)
        shown_out = str(out_dir) if out_dir is not None else _get(settings, ("gui", "out_dir"), "outputs")
        shown_work = str(work_dir) if work_dir is not None else _get(settings, ("gui", "work_dir"), "")
        self.out_dir = self._path_edit(shown_out, True)
        self.work_dir = self._path_edit(shown_work, True)
        shown_gt = _text(_get(settings, ENGINE_KEYS["gui/gt_instances"][0]))
        self.gt_instances = self._path_edit(shown_gt, True)
        self.gt_instances.setToolTip(self.tr("A folder of NAME.png GT instance maps (0 = background, one id or colour "
                                             "per object): the oracle critics judge each object against its own "
                                             "instance. Empty: against the union GT."))
        self._shown_folders = {"gui/out_dir": str(shown_out or ""), "gui/work_dir": str(shown_work or ""),
                               "gui/gt_instances": shown_gt}
        for folder in (self.out_dir, self.work_dir, self.gt_instances):
            folder.edit.setMinimumWidth(260)  # a folder path must stay readable, not '/out'
        fo.addRow(self.tr("Outputs"), self.out_dir)
        fo.addRow(self.tr("Work (autosave)"), self.work_dir)
        fo.addRow(self.tr("GT instances (oracle)"), self.gt_instances)

        look = QGroupBox(self.tr("Appearance"))
        fl = QFormLayout(look)
        self.language = QComboBox()
        self.language.addItem(self.tr("follow the system"), "auto")
        self.language.addItem("English", "en")
        self.language.addItem("简体中文", "zh_CN")
        self.language.setCurrentIndex(max(0, self.language.findData(_get(settings, ("gui", "language"), "auto") or "auto")))
        self.language.setToolTip(self.tr("applied at the next start (or start with --lang zh_CN|en)"))
        self.theme = QComboBox()
        self.theme.addItem(self.tr("follow the system"), "auto")
        self.theme.addItem(self.tr("light"), "light")
        self.theme.addItem(self.tr("dark"), "dark")
        self.theme.setCurrentIndex(max(0, self.theme.findData(_get(settings, ("gui", "theme"), "auto") or "auto")))
        fl.addRow(self.tr("Language"), self.language)
        fl.addRow(self.tr("Theme"), self.theme)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cols = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(seg)
        left.addWidget(crit)
        right.addWidget(par)
        right.addWidget(out)
        right.addWidget(look)
        right.addStretch(1)
        cols.addLayout(left)
        cols.addLayout(right)
        lay = QVBoxLayout(self)
        lay.addLayout(cols)
        lay.addWidget(buttons)

    def _path_edit(self, value: Any, folder: bool) -> QWidget:
        w = QWidget()
        edit = QLineEdit(_text(value))
        browse = QPushButton("...")
        browse.setToolTip(self.tr("Browse"))
        browse.setFixedWidth(28)

        def pick() -> None:
            if folder:
                chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), edit.text())
            else:
                chosen = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), edit.text())[0]
            if chosen:
                edit.setText(chosen)

        browse.clicked.connect(pick)
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(edit, 1)
        lay.addWidget(browse)
        w.edit = edit  # type: ignore[attr-defined]
        return w

    def values(self) -> dict[str, Any]:
        def text(w: QWidget) -> str:
            return w.edit.text().strip()  # type: ignore[attr-defined]

        device = self.device.currentText()
        return {
            "segmenter/name": self.segmenter.current_name(),
            "segmenter/sam_checkpoint": text(self.sam_checkpoint),
            "segmenter/sam_device": device,
            "segmenter/sam_hf_dir": text(self.sam_hf_dir),
            "segmenter/sam_hf_device": device,
            "critic/name": self.critic.current_name(),
            "critic/qwen_dir": text(self.qwen_dir),
            "critic/heuristic_min_evidence": round(self.min_evidence.value(), 4),
            "critic/qwen_device": device,
            "critic/dashscope_model": self.dashscope_model.text().strip(),
            "critic/openai_base_url": self.openai_base_url.text().strip(),
            "critic/openai_model": self.openai_model.text().strip(),
            "sculpt/ratio": round(self.ratio.value(), 4),
            "sculpt/anchors_k": self.anchors_k.value(),
            "sculpt/rounds": self.rounds.value(),
            "sculpt/vlm_max_side": self.vlm_max_side.value(),
            "sculpt/strategy": str(self.strategy.currentData()),
            "gui/out_dir": text(self.out_dir),
            "gui/work_dir": text(self.work_dir),
            "gui/gt_instances": text(self.gt_instances),
            "gui/language": str(self.language.currentData()),
            "gui/theme": str(self.theme.currentData()),
        }

    def accept(self) -> None:
        """OK with a segmenter that cannot run here (no weights, even with the paths typed in this dialog):
        ask once, so that a new annotator is not left with a window that cannot segment."""
        from engine.models.listing_choices import Role, choice

        v = self.values()
        typed = {"segmenter": {"options": {"sam": {"checkpoint": v["segmenter/sam_checkpoint"] or None},
                                           "sam-hf": {"model_dir": v["segmenter/sam_hf_dir"] or None}}}}
        chosen = choice("segmenters", v["segmenter/name"], deep_merge(self.settings, typed))
        if not chosen.available and chosen.role is not Role.OTHER:
            answer = QMessageBox.question(
                self, self.tr("Segmenter not available"),
                self.tr("{0}\n\nThe window keeps the current segmenter until this one can run. Use {1} "
                        "anyway?").format(hint_for(chosen), chosen.name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().accept()

    def changed_folders(self) -> dict[str, str]:
        """The folders the annotator edited in the dialog (key -> new text)."""
        v = self.values()
        return {k: v[k] for k in FOLDER_KEYS if v[k] != self._shown_folders[k]}

    def save(self, qs: QSettings) -> None:
        """Stores the choices; a folder only when it was changed here (OK without changes keeps the
        session's folders, e.g. --out, and does not make them the stored default)."""
        values = self.values()
        changed = self.changed_folders()
        for key in FOLDER_KEYS:
            if key not in changed:
                values.pop(key)
        store(qs, values)


def resolve_dir(value: str, base: Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p
