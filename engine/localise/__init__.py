"""Localisation: ask a VLM critic where the target is (grounding box, or the prototype's 9 + 9 numbered
strips) and write the ROI (box_out) and instance (llm_out) files `sculpt` reads."""
