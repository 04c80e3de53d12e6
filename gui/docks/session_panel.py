"""The session panel: backends in use, Run/Propose/Apply/Auto, the proposal list with accept/
reject/flip per row (and each proposal's confidence, sortable; a threshold hides the less sure
ones), why the critic proposed nothing, the verdict on the last round with keep/revert, and the
rounds with their IoU change."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
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

from gui.canvas.point_item import status_name
from gui.theme import colour

ID_ROLE = Qt.ItemDataRole.UserRole
ROW_PX = 24
COL_TAG, COL_SIGN, COL_CONF, COL_STATUS, COL_BUTTONS, COL_REASON = range(6)


class NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        try:
            return float(self.data(ID_ROLE + 1)) < float(other.data(ID_ROLE + 1))
        except (TypeError, ValueError):
            return super().__lt__(other)


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
    keep_round = Signal(bool)  # True keep, False revert
    threshold_changed = Signal(float, str)  # threshold, "hide" | "reject"

    def __init__(self) -> None:
        super().__init__()
        self.segmenter_label = QLabel("-")
        self.critic_label = QLabel("-")
        self.models_label = QLabel(self.tr("no large models loaded"))
        self.models_label.setWordWrap(True)
        self.instance_edit = QLineEdit()
        self.instance_edit.setPlaceholderText(self.tr("what the object is"))
        self.instance_edit.editingFinished.connect(lambda: self.instance_changed.emit(self.instance_edit.text().strip()))
        self.segmenter_role = QLabel("")
        self.critic_role = QLabel("")
        info = QFormLayout()
        info.addRow(self.tr("Segmenter"), self._with_role(self.segmenter_label, self.segmenter_role))
        info.addRow(self.tr("Critic"), self._with_role(self.critic_label, self.critic_role))
        info.addRow(self.tr("Loaded"), self.models_label)
        info.addRow(self.tr("Instance"), self.instance_edit)

        self.run_button = QPushButton(self.tr("Run"))
        self.run_button.setToolTip(self.tr("segment from the ROI and the accepted points (R)"))
        self.propose_button = QPushButton(self.tr("Propose"))
        self.propose_button.setToolTip(self.tr("one critic round; proposals are shown, not applied (P)"))
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.setToolTip(self.tr("refine with the accepted proposals; pending ones are rejected (Return)"))
        self.auto_button = QPushButton(self.tr("Auto"))
        self.auto_button.setToolTip(self.tr("N rounds, every proposal accepted, as the CLI does (Shift+A)"))
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

        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setObjectName("notice")
        self.notice.setVisible(False)

        self.proposals = QTableWidget(0, 6)
        self.proposals.setHorizontalHeaderLabels(
            ["#", self.tr("point"), self.tr("confidence"), self.tr("status"), "", self.tr("reason")])
        self.proposals.verticalHeader().setVisible(False)
        self.proposals.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.proposals.verticalHeader().setDefaultSectionSize(ROW_PX)  # rows never change height between clicks
        self.proposals.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.proposals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.proposals.setWordWrap(False)
        self.proposals.setTextElideMode(Qt.TextElideMode.ElideRight)
        hdr = self.proposals.horizontalHeader()
        for col in range(COL_REASON):
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)
        hdr.setSortIndicatorShown(True)
        hdr.sectionClicked.connect(self._sort_by)
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.proposals.itemSelectionChanged.connect(self._selection_changed)
        self.abstain = QLabel("")
        self.abstain.setWordWrap(True)
        self.abstain.setVisible(False)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip(self.tr("proposals less confident than this are hidden or rejected"))
        self.below = QComboBox()
        self.below.addItem(self.tr("hide"), "hide")
        self.below.addItem(self.tr("auto-reject"), "reject")
        self.threshold.valueChanged.connect(self._threshold_changed)
        self.below.currentIndexChanged.connect(self._threshold_changed)
        self.accept_all_button = QPushButton(self.tr("Accept all"))
        self.reject_all_button = QPushButton(self.tr("Reject all"))
        self.accept_all_button.clicked.connect(self.accept_all_clicked)
        self.reject_all_button.clicked.connect(self.reject_all_clicked)
        all_row = QHBoxLayout()
        all_row.addWidget(QLabel(self.tr("Min. confidence")))
        all_row.addWidget(self.threshold)
        all_row.addWidget(self.below)
        all_row.addStretch(1)
        all_row.addWidget(self.accept_all_button)
        all_row.addWidget(self.reject_all_button)
        prop_box = QGroupBox(self.tr("Proposals"))
        pl = QVBoxLayout(prop_box)
        pl.addWidget(self.proposals, 1)
        pl.addWidget(self.abstain)
        pl.addLayout(all_row)

        self.verdict_box = QGroupBox(self.tr("Verdict on the last round"))
        vl = QVBoxLayout(self.verdict_box)
        self.verdict_label = QLabel("")
        self.verdict_label.setWordWrap(True)
        self.keep_button = QPushButton(self.tr("Keep"))
        self.revert_button = QPushButton(self.tr("Revert"))
        self.keep_button.clicked.connect(lambda: self.keep_round.emit(True))
        self.revert_button.clicked.connect(lambda: self.keep_round.emit(False))
        vrow = QHBoxLayout()
        vrow.addWidget(self.keep_button)
        vrow.addWidget(self.revert_button)
        vl.addWidget(self.verdict_label)
        vl.addLayout(vrow)
        self.verdict_box.setVisible(False)
        self.suggest_keep: bool | None = None  # the pending verdict's suggestion (None: nothing to decide)

        self.rounds = QTableWidget(0, 4)
        self.rounds.setHorizontalHeaderLabels([self.tr("round"), self.tr("proposals"), self.tr("applied"),
                                               self.tr("IoU change")])
        self.rounds.verticalHeader().setVisible(False)
        self.rounds.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.rounds.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rounds.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rounds.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        # room for the header and three rounds (the usual Auto), scrolling beyond
        self.rounds.setMinimumHeight(self.rounds.horizontalHeader().sizeHint().height() + 3 * ROW_PX + 6)
        rounds_box = QGroupBox(self.tr("Rounds"))
        QVBoxLayout(rounds_box).addWidget(self.rounds)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(info)
        lay.addLayout(buttons)
        lay.addWidget(self.notice)
        lay.addWidget(prop_box, 3)
        lay.addWidget(self.verdict_box)
        lay.addWidget(rounds_box, 1)
        self.row_ids: list[str] = []
        self._confidence: dict[str, float] = {}

    @staticmethod
    def _with_role(name: QLabel, role: QLabel) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(name)
        row.addWidget(role)
        row.addStretch(1)
        return w

    def _show_backend(self, name_label: QLabel, role_label: QLabel, kind: str, name: str) -> None:
        """The backend's name, and beside it what it is when it is not a model (a baseline is never
        presented as one: the row's title reads 'segmentation model' in Chinese)."""
        if name_label.text() == name and role_label.property("backend") == name:
            return
        from engine.models.listing_choices import Role, role_of

        role = role_of(kind, name)
        words = {Role.BASELINE: self.tr("(baseline, no weights)"), Role.EVALUATION: self.tr("(evaluation only)")}
        name_label.setText(name)
        role_label.setText(words.get(role, ""))
        role_label.setProperty("backend", name)
        role_label.setProperty("role", role.value)

    # ---- state ----------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        for b in (self.run_button, self.propose_button, self.apply_button, self.auto_button, self.keep_button,
                  self.revert_button):
            b.setEnabled(not busy)

    def set_models(self, models: list) -> None:  # list[gui.loaded_models.LoadedModel], from the worker
        runtimes = {"onnx": self.tr("clicks: ONNX Runtime"), "torch": self.tr("clicks: torch")}
        lines = [" \u00b7 ".join([m.backend, m.weights, m.device, *([m.dtype] if m.dtype else []),
                                   self.tr("{0:.0f} MB").format(m.size_mb), *([runtimes[m.runtime]] if m.runtime in
                                                                              runtimes else [])]) for m in models]
        self.models_label.setText("\n".join(lines) or self.tr("no large models loaded"))
        self.models_label.setToolTip("\n".join(m.key for m in models))

    def set_threshold(self, value: float, below: str = "hide") -> None:
        self.threshold.blockSignals(True)
        self.below.blockSignals(True)
        self.threshold.setValue(value)
        self.below.setCurrentIndex(max(0, self.below.findData(below)))
        self.threshold.blockSignals(False)
        self.below.blockSignals(False)

    def threshold_mode(self) -> str:
        return str(self.below.currentData())

    def _threshold_changed(self, *_args) -> None:
        self.threshold_changed.emit(self.threshold.value(), self.threshold_mode())

    def visible_proposal(self, p) -> bool:
        return not (p.status == "pending" and p.confidence < self.threshold.value() and self.threshold_mode() == "hide")

    # ---- snapshot -------------------------------------------------------------------------
    def show_snapshot(self, snap) -> None:  # snap: gui.views.Snapshot
        self._show_backend(self.segmenter_label, self.segmenter_role, "segmenters", snap.segmenter)
        self._show_backend(self.critic_label, self.critic_role, "critics", snap.critic)
        if not self.instance_edit.hasFocus():
            self.instance_edit.setText(snap.instance)
        notice = snap.notice or ("" if snap.objects else self.tr(
            "To start: drag a box around the object on the image (a drag on empty space draws the ROI; B starts "
            "another object), then Run, Propose or Auto."))
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self._show_proposals(snap)
        self._show_rounds(snap)
        self._show_verdict(snap)

    def _show_proposals(self, snap) -> None:
        selected = set(self.selected_ids())
        critic_points = [p for p in snap.points if p.source == "critic"]
        critic_points.sort(key=lambda p: -(p.round_index or 0))  # the latest round first (stable within a round)
        shown = [p for p in critic_points if self.visible_proposal(p)]
        hidden = len(critic_points) - len(shown)
        self._confidence = {p.id: p.confidence for p in critic_points}
        table = self.proposals
        scroll = table.verticalScrollBar().value()
        table.blockSignals(True)
        table.setSortingEnabled(False)
        table.setRowCount(len(shown))
        for row, p in enumerate(shown):
            tag = f"r{p.round_index}" + (f" a{p.anchor_id}" if p.anchor_id is not None else "")
            sign = ("+" if p.positive else "-") + (" " + self.tr("moved") if p.moved else "") + \
                   (" " + self.tr("flipped") if p.flipped else "")
            cells = {COL_TAG: tag, COL_SIGN: sign, COL_CONF: f"{p.confidence:.2f}", COL_STATUS: status_name(p.status),
                     COL_REASON: p.reason}
            for col, text in cells.items():
                item = NumberItem(text) if col == COL_CONF else QTableWidgetItem(text)
                item.setData(ID_ROLE, p.id)
                item.setData(ID_ROLE + 1, p.confidence if col == COL_CONF else (p.round_index or 0))
                item.setToolTip(p.reason)
                if col == COL_STATUS:
                    item.setForeground(QBrush(colour(p.status)))
                elif col == COL_SIGN:
                    item.setForeground(QBrush(colour("positive" if p.positive else "negative")))
                elif col == COL_CONF and p.confidence < self.threshold.value():
                    item.setForeground(QBrush(colour("muted")))
                table.setItem(row, col, item)
        if self._sort is not None:
            table.sortItems(*self._sort)
        self.row_ids = [table.item(r, COL_TAG).data(ID_ROLE) for r in range(table.rowCount())]
        for r, pid in enumerate(self.row_ids):
            table.setCellWidget(r, COL_BUTTONS, self._row_buttons(pid))  # the buttons follow their row after a sort
            if pid in selected:
                table.selectRow(r)
        table.verticalScrollBar().setValue(scroll)
        table.blockSignals(False)
        has_pending = any(p.status == "pending" for p in critic_points)
        self.accept_all_button.setEnabled(has_pending)
        self.reject_all_button.setEnabled(has_pending)
        last = snap.rounds[-1] if snap.rounds else None
        why = ""
        if last is not None and last.proposals == 0 and not last.applied:
            why = self.tr("Round {0}: the critic proposed nothing. {1}").format(last.index, last.abstain_reason)
            if self.critic_role.property("role") == "baseline":  # the heuristic: its one knob is in Settings
                why += " " + self.tr("(Settings > Critic > heuristic min. evidence: lower it for more proposals)")
        elif hidden:
            why = self.tr("{0} proposal(s) below the confidence threshold are hidden").format(hidden)
        self.abstain.setText(why)
        self.abstain.setVisible(bool(why))

    def _show_rounds(self, snap) -> None:
        self.rounds.setRowCount(len(snap.rounds))
        for row, r in enumerate(snap.rounds):
            if r.iou is None:
                iou = "-"
            else:
                iou = self.tr("{0:.4f} ({1:.2f}% changed)").format(r.iou, (1 - r.iou) * 100)
            applied = self.tr("yes") if r.applied else self.tr("no")
            if r.reverted:
                applied = self.tr("reverted")
            for col, text in enumerate([str(r.index), str(r.proposals), applied, iou]):
                self.rounds.setItem(row, col, QTableWidgetItem(text))
        if snap.rounds:
            self.rounds.scrollToBottom()

    def _show_verdict(self, snap) -> None:
        last = snap.rounds[-1] if snap.rounds else None
        v = last.verdict if last is not None else None
        if v is None:
            self.verdict_box.setVisible(False)
            self.suggest_keep = None
            return
        names = {"better": self.tr("better"), "worse": self.tr("worse"), "same": self.tr("about the same")}
        text = self.tr("Round {0} made the mask {1} ({2}, confidence {3:.2f}).").format(
            last.index, names.get(v.outcome, v.outcome), v.backend or "-", v.confidence)
        if v.reason:
            text += "\n" + v.reason  # the critic's words, as they came
        if last.reverted:
            text += "\n" + self.tr("Reverted: the mask before the round is back.")
        elif v.decided:
            text += "\n" + self.tr("Kept.")
        else:
            text += "\n" + (self.tr("Suggestion: keep it (V keeps, or click Revert).") if v.suggest_keep
                            else self.tr("Suggestion: revert it (V reverts, or click Keep)."))
        self.verdict_label.setText(text)
        self.verdict_box.setVisible(True)
        pending = not v.decided
        self.suggest_keep = v.suggest_keep if pending else None
        self.keep_button.setVisible(pending)
        self.revert_button.setVisible(pending)
        self.keep_button.setDefault(v.suggest_keep)
        self.revert_button.setDefault(not v.suggest_keep)
        (self.keep_button if v.suggest_keep else self.revert_button).setFocus()

    def _row_buttons(self, point_id: str) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        for text, kind, tip, fn in (
            ("\u2713", "accept", self.tr("accept (Y)"), lambda: self.accept_requested.emit([point_id])),
            ("\u2717", "reject", self.tr("reject (N)"), lambda: self.reject_requested.emit([point_id])),
            ("\u21c4", "flip", self.tr("flip (F)"), lambda: self.flip_requested.emit(point_id)),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"{kind}:{point_id}")
            b.clicked.connect(fn)
            lay.addWidget(b)
        return w

    def _sort_by(self, col: int) -> None:
        if col not in (COL_TAG, COL_CONF):
            return
        order = Qt.SortOrder.DescendingOrder
        if self._sort is not None and self._sort[0] == col and self._sort[1] == Qt.SortOrder.DescendingOrder:
            order = Qt.SortOrder.AscendingOrder
        self._sort = (col, order)
        self.proposals.horizontalHeader().setSortIndicator(col, order)
        self.proposals.sortItems(col, order)
        self.row_ids = [self.proposals.item(r, COL_TAG).data(ID_ROLE) for r in range(self.proposals.rowCount())]
        for r, pid in enumerate(self.row_ids):
            self.proposals.setCellWidget(r, COL_BUTTONS, self._row_buttons(pid))

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
