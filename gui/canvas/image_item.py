"""The image at the bottom of the scene."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from gui.canvas.qimage import rgb_to_qimage


class ImageItem(QGraphicsPixmapItem):
    def __init__(self) -> None:
        super().__init__()
        self.setZValue(0)
        self.setTransformationMode(Qt.TransformationMode.FastTransformation)

    def set_image(self, image: np.ndarray, qimage: QImage | None = None) -> None:
        """`qimage`: the same image already converted (on the worker thread)."""
        self.setPixmap(QPixmap.fromImage(qimage if qimage is not None else rgb_to_qimage(image)))
