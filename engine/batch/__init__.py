"""Many images: one per-image function, run by local worker processes or Ray actors."""
