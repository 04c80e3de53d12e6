"""Prompt templates (resources/prompts/*.txt, string.Template syntax) filled with the instance name and
the optional semantic context from llm_out."""

from __future__ import annotations

from functools import cache
from string import Template

from engine.errors import BackendError
from engine.resources import prompts_dir
from engine.types import InstanceInfo

PROMPTS_DIR = prompts_dir()  # resources/prompts, installed or in a checkout
PROMPT_IDS = ("anchors", "square", "points", "strips", "grounding", "verdict")


@cache
def _template(prompt_id: str) -> Template:
    path = PROMPTS_DIR / f"{prompt_id}.txt"
    if not path.exists():
        raise BackendError(f"prompt template {path} is missing")
    return Template(path.read_text(encoding="utf-8"))


def semantic_context(instance: InstanceInfo) -> str:
    """One short paragraph from llm_out's synonyms / cues / distractors ('' when there are none)."""
    parts = []
    if instance.synonyms:
        parts.append(f"It may also be called: {', '.join(instance.synonyms)}.")
    if instance.cues:
        parts.append(f"Visual cues: {'; '.join(instance.cues)}.")
    if instance.distractors:
        parts.append(f"Do not confuse it with: {', '.join(instance.distractors)}.")
    return (" " + " ".join(parts)) if parts else ""


def render_prompt(prompt_id: str, instance: InstanceInfo, **fields: object) -> str:
    values = {"instance": instance.name or "object", "context": semantic_context(instance)}
    values.update({k: str(v) for k, v in fields.items()})
    return _template(prompt_id).safe_substitute(values).strip()
