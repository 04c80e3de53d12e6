"""Build the edit backends from the settings' `edit` section (shared by the CLI and the GUI worker)."""

from __future__ import annotations

from typing import Any

from engine.edit.inpainters.base import InpaintRequest
from engine.registry import INPAINTERS, LOCALISERS


def inpainter_name(settings: dict[str, Any], name: str | None = None, sd_dir: str | None = None) -> str:
    """'auto' (the default) means sd when an SD folder is known, else opencv."""
    edit = settings["edit"]
    name = name or edit["inpainter"].get("name", "auto")
    if name != "auto":
        return name
    known = sd_dir or edit["inpainter"].get("options", {}).get("sd", {}).get("model_dir")
    return "sd" if known else "opencv"


def build_inpainter(settings: dict[str, Any], name: str | None = None, sd_dir: str | None = None):
    edit = settings["edit"]
    name = inpainter_name(settings, name, sd_dir)
    opts = dict(edit["inpainter"].get("options", {}).get(name, {}))
    if sd_dir and name == "sd":
        opts["model_dir"] = sd_dir
    return INPAINTERS.create(name, **opts)


def localiser_options(settings: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    loc = settings["edit"]["localiser"]
    return loc["name"], dict(loc.get("options", {}).get(loc["name"], {}))


def clip_dir(settings: dict[str, Any], override: str | None = None) -> str | None:
    return override or localiser_options(settings)[1].get("model_dir")


def build_localiser(settings: dict[str, Any], model_dir: str | None = None):
    name, opts = localiser_options(settings)
    return LOCALISERS.create(name, **{**opts, "model_dir": clip_dir(settings, model_dir)})


def build_request(settings: dict[str, Any], prompt: str, steps: int | None = None, guidance: float | None = None,
                  seed: int | None = None, negative_prompt: str | None = None, progress=None) -> InpaintRequest:
    edit = settings["edit"]

    def pick(value: Any, key: str, default: Any) -> Any:
        return edit.get(key, default) if value is None else value

    return InpaintRequest(prompt=prompt, negative_prompt=pick(negative_prompt, "negative_prompt", ""),
                          steps=int(pick(steps, "steps", 30)), guidance=float(pick(guidance, "guidance", 7.5)),
                          seed=pick(seed, "seed", 42), progress=progress)
