"""The dock widgets around the canvas."""
