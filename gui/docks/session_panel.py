"""The session panel: backends in use, Run/Propose/Apply/Auto, the proposal list with accept/
reject/flip per row, the rounds with their IoU change, and the instance name."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

STATUS_COLOURS = {"pending": "#ffd23f", "accepted": "#2ee66b", "rejected": "#ff6b6b"}


class SessionPanel(QWidget):
    run_clicked = Signal()
    propose_clicked = Signal()
    apply_clicked = Signal()
    auto_clicked = Signal(int)
    accept_requested = Signal(object)  # list of ids
    reject_requested = Signal(object)
    flip_requested = Signal(str)
    accept_all_clicked = Signal()
    reject_all_clicked = Signal()
    instance_changed = Signal(str)
    proposal_selected = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.segmenter_label = QLabel("-")
        self.critic_label = QLabel("-")
        self.models_label = QLabel("no large models loaded")
        self.models_label.setWordWrap(True)
        self.instance_edit = QLineEdit()
        self.instance_edit.setPlaceholderText("what the object is")
        self.instance_edit.editingFinished.connect(lambda: self.instance_changed.emit(self.instance_edit.text().strip()))
        info = QFormLayout()
        info.addRow("Segmenter", self.segmenter_label)
        info.addRow("Critic", self.critic_label)
        info.addRow("Loaded", self.models_label)
        info.addRow("Instance", self.instance_edit)

        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("segment from the ROI and the accepted points (R)")
        self.propose_button = QPushButton("Propose")
        self.propose_button.setToolTip("one critic round; proposals are shown, not applied (P)")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("refine with the accepted proposals; pending ones are rejected (Return)")
        self.auto_button = QPushButton("Auto")
        self.auto_button.setToolTip("N rounds, every proposal accepted, as the CLI does (Shift+A)")
        self.auto_rounds = QSpinBox()
        self.auto_rounds.setRange(1, 20)
        self.auto_rounds.setValue(3)
        self.auto_rounds.setPrefix("x")
        self.run_button.clicked.connect(self.run_clicked)
        self.propose_button.clicked.connect(self.propose_clicked)
        self.apply_button.clicked.connect(self.apply_clicked)
        self.auto_button.clicked.connect(lambda: self.auto_clicked.emit(self.auto_rounds.value()))
        buttons = QHBoxLayout()
        for w in (self.run_button, self.propose_button, self.apply_button, self.auto_button, self.auto_rounds):
            buttons.addWidget(w)

        self.proposals = QTableWidget(0, 5)
        self.proposals.setHorizontalHeaderLabels(["#", "point", "status", "", "reason"])
        self.proposals.verticalHeader().setVisible(False)
        self.proposals.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.proposals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hdr = self.proposals.horizontalHeader()
        for col in range(4):
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.proposals.setWordWrap(True)
        self.proposals.itemSelectionChanged.connect(self._selection_changed)
        self.accept_all_button = QPushButton("Accept all")
        self.reject_all_button = QPushButton("Reject all")
        self.accept_all_button.clicked.connect(self.accept_all_clicked)
        self.reject_all_button.clicked.connect(self.reject_all_clicked)
        all_row = QHBoxLayout()
        all_row.addWidget(self.accept_all_button)
        all_row.addWidget(self.reject_all_button)
        prop_box = QGroupBox("Proposals")
        pl = QVBoxLayout(prop_box)
        pl.addWidget(self.proposals, 1)
        pl.addLayout(all_row)

        self.rounds = QTableWidget(0, 4)
        self.rounds.setHorizontalHeaderLabels(["round", "proposals", "applied", "IoU change"])
        self.rounds.verticalHeader().setVisible(False)
        self.rounds.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rounds.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rounds.setMaximumHeight(130)
        rounds_box = QGroupBox("Rounds")
        QVBoxLayout(rounds_box).addWidget(self.rounds)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(info)
        lay.addLayout(buttons)
        lay.addWidget(prop_box, 3)
        lay.addWidget(rounds_box, 1)
        self.row_ids: list[str] = []

    def set_busy(self, busy: bool) -> None:
        for b in (self.run_button, self.propose_button, self.apply_button, self.auto_button):
            b.setEnabled(not busy)

    def set_models(self, text: str) -> None:
        self.models_label.setText(text)

    def show_snapshot(self, snap) -> None:  # snap: gui.worker.Snapshot
        self.segmenter_label.setText(snap.segmenter)
        self.critic_label.setText(snap.critic)
        if not self.instance_edit.hasFocus():
            self.instance_edit.setText(snap.instance)
        selected = set(self.selected_ids())
        critic_points = [p for p in snap.points if p.source == "critic"]
        # the latest round first, then older ones
        critic_points.sort(key=lambda p: (-(p.round_index or 0)))
        self.proposals.blockSignals(True)
        self.proposals.setRowCount(len(critic_points))
        self.row_ids = [p.id for p in critic_points]
        for row, p in enumerate(critic_points):
            tag = f"r{p.round_index}" + (f" a{p.anchor_id}" if p.anchor_id is not None else "")
            label = ("+" if p.positive else "-") + (" moved" if p.moved else "") + (" flipped" if p.flipped else "")
            cells = [tag, label, p.status, None, p.reason]
            for col, text in enumerate(cells):
                if text is None:
                    continue
                item = QTableWidgetItem(text)
                item.setToolTip(p.reason)
                if col == 2:
                    item.setForeground(QBrush(QColor(STATUS_COLOURS.get(p.status, "#ffffff"))))
                if col == 1:
                    item.setForeground(QBrush(QColor("#2ee66b" if p.positive else "#ff3b3b")))
                self.proposals.setItem(row, col, item)
            self.proposals.setCellWidget(row, 3, self._row_buttons(p.id))
            if p.id in selected:
                self.proposals.selectRow(row)
        self.proposals.resizeRowsToContents()
        self.proposals.blockSignals(False)
        self.rounds.setRowCount(len(snap.rounds))
        for row, r in enumerate(snap.rounds):
            iou = "-" if r.iou is None else f"{r.iou:.4f} ({(1 - r.iou) * 100:.2f}% changed)"
            for col, text in enumerate([str(r.index), str(r.proposals), "yes" if r.applied else "no", iou]):
                self.rounds.setItem(row, col, QTableWidgetItem(text))
        has_pending = any(p.status == "pending" for p in critic_points)
        self.accept_all_button.setEnabled(has_pending)
        self.reject_all_button.setEnabled(has_pending)

    def _row_buttons(self, point_id: str) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        for text, tip, fn in (
            ("\u2713", "accept (Y)", lambda: self.accept_requested.emit([point_id])),
            ("\u2717", "reject (N)", lambda: self.reject_requested.emit([point_id])),
            ("\u21c4", "flip (F)", lambda: self.flip_requested.emit(point_id)),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"{tip.split()[0]}:{point_id}")
            b.clicked.connect(fn)
            lay.addWidget(b)
        return w

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.proposals.selectedIndexes()})
        return [self.row_ids[r] for r in rows if r < len(self.row_ids)]

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.proposal_selected.emit(ids[0])

    def select_point(self, point_id: str) -> None:
        if point_id in self.row_ids:
            self.proposals.blockSignals(True)
            self.proposals.selectRow(self.row_ids.index(point_id))
            self.proposals.blockSignals(False)
