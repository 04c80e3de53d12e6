"""Evaluation: COD metrics (through pysodmetrics), the simulated annotator, and plots."""
