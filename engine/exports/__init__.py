"""Exports of sculpted masks to the formats annotation tools use, and importers back to masks."""
