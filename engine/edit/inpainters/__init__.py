"""Inpainting backends, registered by name in engine.registry.INPAINTERS."""
