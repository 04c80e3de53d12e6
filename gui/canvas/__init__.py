"""The ISAT-style canvas: a QGraphicsScene of selectable/draggable items inside a zoomable view."""
