"""Typed settings: one pydantic model per section and per backend, unknown keys refused.

Where things are
    base.py        Settings / Options base classes (extra="forbid"), the registries, error messages
    sections.py    the top-level sections (sculpt, segmenter, critic, io, models, edit, gui, batch, eval)
    segmenters.py  options of each segmenter (segmenter.options.<name>)
    critics.py     options of each critic (critic.options.<name>)
    edit.py        options of the edit localisers and inpainters
    validate.py    validate_settings(), defaults()
Every module of this package is imported by `import engine.config`, so a new file registers itself.

Adding a backend's options (one class per backend, registered by name)
    1. Create engine/config/<something>.py (or add to segmenters.py / critics.py):

           from pydantic import Field
           from engine.config.base import Options, register_options

           @register_options("segmenter", "sam2")          # kind: segmenter | critic | localiser | inpainter
           class Sam2Options(Options):                     # or subclass segmenters.SamCommonOptions
               model_dir: str | None = None
               device: str = "auto"
               points_per_batch: int = Field(64, ge=1)     # constraints with Field(ge=, gt=, le=...)

       The field names are the keyword arguments the backend's constructor receives
       (engine.settings.backend_options(settings, "segmenter", "sam2") returns them as a dict).
    2. Put the same defaults in resources/settings/defaults.json under segmenter.options.sam2
       (tests/trust/test_settings_validation.py fails while the two disagree, and fails loudly for
       any options block in defaults.json that has no model).
    A new top-level section: a Settings subclass decorated with @register_section("name").

Public API (used by engine.settings, SculptParams and the GUI)
    defaults() -> dict                 every default, from the models (the one source of truth)
    section_defaults("gui") -> dict    one section's defaults (the GUI's settings dialog uses this)
    field_specs("sculpt") / field_specs("grabcut", kind="segmenter") -> {key: {default, type, description,
                                       choices, ge/gt/le/lt}}: defaults, ranges and choices for a settings form
    validate_settings(data, source, reference=None) -> dict   checked, normalised copy; InputError otherwise
    option_model(kind, name)           the options model of a backend, or None
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.config.base import (
    OPTION_KINDS,
    OPTION_MODELS,
    SECTIONS,
    Options,
    Settings,
    closest,
    option_model,
    register_options,
    register_section,
)
from engine.config.validate import defaults, field_specs, section_defaults, validate_settings

for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_") and _info.name not in ("base", "validate"):
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = [
    "OPTION_KINDS", "OPTION_MODELS", "SECTIONS", "Options", "Settings", "closest", "defaults", "field_specs", "option_model",
    "register_options", "register_section", "section_defaults", "validate_settings",
]
