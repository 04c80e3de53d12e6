"""The Objects dock: every object of the image with its label (class), colour, visibility and lock;
add (draw a new box: B or the button), select (here or on the canvas in ROI mode), delete, relabel
(a combo fed by the label list, with type-ahead), reorder (the top one wins overlaps). It only
emits requests; the worker's snapshot redraws it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

ID_ROLE = Qt.ItemDataRole.UserRole
COL_LABEL, COL_VISIBLE, COL_LOCKED, COL_AREA = range(4)


def swatch(rgb: tuple[int, int, int]) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(*rgb))
    return QIcon(pix)


class ObjectsPanel(QWidget):
    new_requested = Signal()
    selected = Signal(object)  # object id
    delete_requested = Signal(int)
    relabel_requested = Signal(int, str)
    visible_changed = Signal(int, bool)
    locked_changed = Signal(int, bool)
    move_requested = Signal(int, int)  # id, +1 up / -1 down

    def __init__(self) -> None:
        super().__init__()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("label"), self.tr("visible"), self.tr("locked"), self.tr("area")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        for col in (COL_VISIBLE, COL_LOCKED, COL_AREA):
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_select)
        self.table.itemChanged.connect(self._on_item_changed)

        self.label_combo = QComboBox()
        self.label_combo.setEditable(True)
        self.label_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.label_combo.setToolTip(self.tr("the selected object's class (from labels.txt; type to search or add)"))
        self.label_combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.label_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.label_combo.activated.connect(self._relabel)
        self.label_combo.lineEdit().returnPressed.connect(self._relabel)

        self.new_button = QPushButton(self.tr("New (B)"))
        self.new_button.setToolTip(self.tr("draw a box for a new object"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.up_button = QPushButton("\u2191")
        self.up_button.setToolTip(self.tr("draw above the next object (wins the overlap)"))
        self.down_button = QPushButton("\u2193")
        self.down_button.setToolTip(self.tr("draw below the next object"))
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button.clicked.connect(lambda: self._with_current(self.delete_requested.emit))
        self.up_button.clicked.connect(lambda: self._with_current(lambda i: self.move_requested.emit(i, 1)))
        self.down_button.clicked.connect(lambda: self._with_current(lambda i: self.move_requested.emit(i, -1)))
        row = QHBoxLayout()
        for b in (self.new_button, self.delete_button, self.up_button, self.down_button):
            row.addWidget(b)
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel(self.tr("Label")))
        label_row.addWidget(self.label_combo, 1)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addLayout(label_row)
        lay.addWidget(self.hint)
        self.row_ids: list[int] = []
        self.current: int | None = None
        self._filling = False

    # ---- from the worker --------------------------------------------------------------------
    def show_snapshot(self, snap) -> None:  # gui.views.Snapshot
        self._filling = True
        self.table.blockSignals(True)
        objects = sorted(snap.objects, key=lambda o: -o.z)  # the top object first
        self.table.setRowCount(len(objects))
        self.row_ids = [o.id for o in objects]
        for r, o in enumerate(objects):
            name = QTableWidgetItem(swatch(o.colour), f"{o.id}  {o.label}" + ("  ?" if o.status == "pending" else ""))
            name.setData(ID_ROLE, o.id)
            name.setToolTip(self.tr("object {0}: {1}").format(o.id, o.label))
            vis = QTableWidgetItem()
            vis.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            vis.setCheckState(Qt.CheckState.Checked if o.visible else Qt.CheckState.Unchecked)
            lock = QTableWidgetItem()
            lock.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            lock.setCheckState(Qt.CheckState.Checked if o.locked else Qt.CheckState.Unchecked)
            area = QTableWidgetItem(str(o.area))
            for col, item in ((COL_LABEL, name), (COL_VISIBLE, vis), (COL_LOCKED, lock), (COL_AREA, area)):
                item.setData(ID_ROLE, o.id)
                self.table.setItem(r, col, item)
        self.current = snap.selected
        if snap.selected in self.row_ids:
            self.table.selectRow(self.row_ids.index(snap.selected))
        else:
            self.table.clearSelection()
        self.table.blockSignals(False)
        current = next((o for o in snap.objects if o.id == snap.selected), None)
        names = list(snap.labels)
        for o in snap.objects:
            if o.label not in names:
                names.append(o.label)
        if not self.label_combo.hasFocus():
            self.label_combo.blockSignals(True)
            self.label_combo.clear()
            self.label_combo.addItems(names)
            self.label_combo.setCurrentText(current.label if current is not None else (names[0] if names else ""))
            self.label_combo.blockSignals(False)
        self.delete_button.setEnabled(current is not None)
        self.hint.setText(self.tr("brush/eraser edits are kept through the next clicks (Run from box forgets them)")
                          if snap.painted else "")
        self._filling = False

    def current_label(self) -> str:
        return self.label_combo.currentText().strip()

    # ---- user ---------------------------------------------------------------------------------
    def _with_current(self, fn) -> None:
        if self.current is not None:
            fn(self.current)

    def _on_select(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if rows and rows[0] < len(self.row_ids) and self.row_ids[rows[0]] != self.current:
            self.current = self.row_ids[rows[0]]
            self.selected.emit(self.current)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        oid = item.data(ID_ROLE)
        checked = item.checkState() == Qt.CheckState.Checked
        if item.column() == COL_VISIBLE:
            self.visible_changed.emit(oid, checked)
        elif item.column() == COL_LOCKED:
            self.locked_changed.emit(oid, checked)

    def _relabel(self, *_args) -> None:
        text = self.current_label()
        if self.current is not None and text:
            self.relabel_requested.emit(self.current, text)
