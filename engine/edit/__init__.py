"""Text-guided editing: CLIP finds where, a segmenter masks it, an inpainter repaints only the mask,
CLIP scores the result. Qt-free; heavy packages (torch, transformers, diffusers) are imported lazily."""
