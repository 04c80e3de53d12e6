"""`qwen`: a local Qwen-VL through transformers + qwen_vl_utils: Qwen2.5-VL (3B / 7B / 7B-AWQ folders) and
Qwen3-VL (2B / 4B / 8B, dense or MoE). The family is read from config.json's model_type (see FAMILIES).

The model lives in the model manager (loaded on first use, unloadable when memory is short). The square
judgements of a round go to the model as ONE batched, left-padded, greedy generate call. Grounding replies
follow the family's own box format: Qwen2.5-VL answers in absolute pixels of its smart_resize'd input
(what coord_space() reports), Qwen3-VL in coordinates relative to the image on a 0-1000 grid.

Quantised checkpoints: an AWQ folder loads through transformers' own AWQ quantizer, which needs gptqmodel
(autoawq is deprecated and does not work with transformers 5); `load_in` = 4bit | 8bit quantises a
full-precision folder on load through bitsandbytes."""

from __future__ import annotations

import importlib.util
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.critics.vlm import VLMAnswer, VLMCritic, VLMRequest
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import CRITICS
from engine.sculpt.render import resize_long_side

log = logging.getLogger("sam_sculpt.critics")
DEFAULT_MODEL_PATH = "models/Qwen2.5-VL-3B-Instruct"
PIXEL_FACTOR = 28  # Qwen2.5-VL: patch 14 x spatial merge 2 (input sides are multiples of this)
AWQ_HINT = ("or use a full-precision model (Qwen2.5-VL-3B-Instruct, Qwen3-VL-4B-Instruct) or load the 7B "
            "in 4-bit with --set critic.options.qwen.load_in=4bit (bitsandbytes)")


@dataclass(frozen=True)
class QwenFamily:
    name: str  # what `models` lists: qwen (Qwen2.5-VL) or qwen3 (Qwen3-VL)
    label: str
    model_class: str  # transformers class
    patch_size: int  # default when config.json does not say
    coords: str  # the box convention it was trained on: pixels (of its input) | norm1000


FAMILIES: dict[str, QwenFamily] = {
    "qwen2_5_vl": QwenFamily("qwen", "Qwen2.5-VL", "Qwen2_5_VLForConditionalGeneration", 14, "pixels"),
    "qwen3_vl": QwenFamily("qwen3", "Qwen3-VL", "Qwen3VLForConditionalGeneration", 16, "norm1000"),
    "qwen3_vl_moe": QwenFamily("qwen3", "Qwen3-VL-MoE", "Qwen3VLMoeForConditionalGeneration", 16, "norm1000"),
}


def family_of(config: dict[str, Any], where: str | Path = "config.json") -> QwenFamily:
    model_type = str(config.get("model_type", ""))
    family = FAMILIES.get(model_type)
    if family is None:
        raise BackendError(f"critic 'qwen': {where}: model_type '{model_type}' is not a supported Qwen-VL "
                           f"(known: {', '.join(FAMILIES)})")
    return family


@CRITICS.register("qwen")
class QwenCritic(VLMCritic):
    name = "qwen"
    coords = "pixels"  # per instance: the family's convention

    def __init__(self, model_path: str = DEFAULT_MODEL_PATH, device: str = "auto",
                 min_pixels: int = 256 * 28 * 28, max_pixels: int = 1280 * 28 * 28, max_side: int = 0,
                 batch_size: int = 8, max_reply_length: int = 0, load_in: str = "") -> None:
        self.model_path = Path(model_path).expanduser()
        if not (self.model_path / "config.json").exists() and model_path == DEFAULT_MODEL_PATH:
            found = _discover()  # the default folder is missing: any Qwen-VL in the models folders or the HF cache
            if found is not None:
                log.info("critic 'qwen': %s not found; using %s (discovered)", model_path, found)
                self.model_path = found
        if not (self.model_path / "config.json").exists():
            raise BackendError(f"critic 'qwen': no model at {self.model_path} (expected a Qwen2.5-VL or Qwen3-VL folder "
                               f"with config.json, e.g. Qwen/Qwen2.5-VL-3B-Instruct or Qwen/Qwen3-VL-4B-Instruct; "
                               f"set critic.options.qwen.model_path or run: sam-sculpt models download qwen)")
        if min_pixels <= 0 or max_pixels < min_pixels:
            raise BackendError(f"critic 'qwen': need 0 < min_pixels <= max_pixels (got {min_pixels}, {max_pixels})")
        if load_in not in ("", "4bit", "8bit"):
            raise BackendError(f"critic 'qwen': load_in must be '', '4bit' or '8bit' (got {load_in!r})")
        self.config = json.loads((self.model_path / "config.json").read_text(encoding="utf-8"))
        self.family = family_of(self.config, self.model_path / "config.json")
        self.coords = self.family.coords
        vision = self.config.get("vision_config") or {}
        self.patch_size = int(vision.get("patch_size") or self.family.patch_size)
        self.pixel_factor = self.patch_size * int(vision.get("spatial_merge_size") or 2)
        self.quantization = (self.config.get("quantization_config") or {}).get("quant_method")
        self.load_in = load_in
        self.device = _pick_device(device)
        self.min_pixels, self.max_pixels = int(min_pixels), int(max_pixels)
        self.max_side = int(max_side)  # extra cap on the long side (0 = none: callers already send <= vlm_max_side)
        self.batch_size = max(1, int(batch_size))
        self.max_reply_length = int(max_reply_length)  # 0 = per-prompt defaults
        self.key = f"qwen:{self.model_path.resolve()}:{self.device}:{load_in}"
        size = sum(p.stat().st_size for p in self.model_path.glob("*.safetensors")) or 1
        if load_in:
            size = size // (4 if load_in == "4bit" else 2)
        get_manager().register(self.key, self._load, size_bytes=size, device=self.device)

    # ---- model ---------------------------------------------------------------------------------
    def _load_kwargs(self) -> dict[str, Any]:
        import torch

        if self.quantization == "awq":
            if importlib.util.find_spec("gptqmodel") is None:
                raise BackendError(f"critic 'qwen': {self.model_path} is an AWQ checkpoint; this transformers loads AWQ "
                                   "only through gptqmodel (autoawq is deprecated and does not work with it): "
                                   f"pip install 'sam-sculpt[awq]', {AWQ_HINT}")
            return {"dtype": torch.float16, "device_map": {"": self.device}}
        if self.load_in:
            if importlib.util.find_spec("bitsandbytes") is None:
                raise BackendError(f"critic 'qwen': load_in={self.load_in} needs bitsandbytes: pip install bitsandbytes "
                                   "(or leave load_in empty and pick a smaller full-precision model)")
            from transformers import BitsAndBytesConfig

            bnb = (BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16, bnb_4bit_quant_type="nf4")
                   if self.load_in == "4bit" else BitsAndBytesConfig(load_in_8bit=True))
            return {"dtype": torch.bfloat16, "quantization_config": bnb, "device_map": {"": self.device}}
        return {"dtype": torch.float32 if self.device == "cpu" else torch.bfloat16}

    def _load(self) -> tuple[Any, Any]:
        import transformers
        from transformers import AutoProcessor

        kwargs = self._load_kwargs()
        model_class = getattr(transformers, self.family.model_class, None)
        if model_class is None:
            raise BackendError(f"critic 'qwen': {self.family.label} needs a newer transformers "
                               f"(no {self.family.model_class} in {transformers.__version__}): pip install -U transformers")
        try:
            model = model_class.from_pretrained(self.model_path, **kwargs)
            if "device_map" not in kwargs:
                model = model.to(self.device)
            model = model.eval()
            processor = AutoProcessor.from_pretrained(self.model_path)
        except (OSError, ValueError, ImportError) as exc:
            raise BackendError(f"critic 'qwen': could not load {self.model_path}: {str(exc).splitlines()[0]}") from exc
        processor.tokenizer.padding_side = "left"  # batched generation continues every row from its end
        return model, processor

    def loaded(self) -> tuple[Any, Any]:
        return get_manager().get(self.key)

    def unload(self, reason: str = "stage ended") -> bool:
        return get_manager().unload(self.key, reason)

    # ---- coordinates ---------------------------------------------------------------------------
    def coord_space(self, sent_w: int, sent_h: int) -> tuple[float, float]:
        """The size of the model's input for a picture sent at sent_w x sent_h (Qwen2.5-VL answers in it)."""
        from qwen_vl_utils import smart_resize

        h, w = smart_resize(sent_h, sent_w, factor=self.pixel_factor, min_pixels=self.min_pixels,
                            max_pixels=self.max_pixels)
        return float(w), float(h)

    def max_tokens(self, prompt_id: str) -> int:
        return self.max_reply_length or super().max_tokens(prompt_id)

    # ---- asking --------------------------------------------------------------------------------
    def ask(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        answers: list[VLMAnswer] = []
        for i in range(0, len(requests), self.batch_size):
            answers.extend(self._generate(requests[i : i + self.batch_size]))
        return answers

    def _vision_inputs(self, conversations: list) -> list:
        from qwen_vl_utils import process_vision_info

        if self.patch_size == 14:
            images, _ = process_vision_info(conversations)
        else:  # Qwen3-VL: 16 px patches (qwen-vl-utils >= 0.0.12)
            images, _ = process_vision_info(conversations, image_patch_size=self.patch_size)
        return images

    def _generate(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        import torch
        from PIL import Image

        t0 = time.perf_counter()
        model, processor = self.loaded()
        # the critic's pixel bounds, not the checkpoint's (one loaded model may serve critics with different bounds)
        processor.image_processor.size = {"shortest_edge": self.min_pixels, "longest_edge": self.max_pixels}
        conversations = []
        for req in requests:
            small, _ = resize_long_side(req.pixels(), self.max_side)
            conversations.append([{"role": "user", "content": [
                {"type": "image", "image": Image.fromarray(small), "min_pixels": self.min_pixels,
                 "max_pixels": self.max_pixels},
                {"type": "text", "text": req.prompt}]}])
        pad_id = processor.tokenizer.pad_token_id
        try:
            texts = [processor.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in conversations]
            images = self._vision_inputs(conversations)
            inputs = processor(text=texts, images=images, padding=True, return_tensors="pt").to(model.device)
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=max(r.max_tokens for r in requests), do_sample=False,
                                     pad_token_id=pad_id)
        except Exception as exc:  # OOM, a processor/template mismatch: the round fails, a fallback chain takes over
            why = f"generate failed: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
            log.warning("qwen: %s", why)
            return [VLMAnswer("", time.perf_counter() - t0, error=why) for _ in requests]
        new = out[:, inputs["input_ids"].shape[1] :]
        texts_out = processor.batch_decode(new, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        patch = int(getattr(processor.image_processor, "patch_size", self.patch_size))
        latency = time.perf_counter() - t0
        answers = []
        for i, text in enumerate(texts_out):
            _, gh, gw = (int(v) for v in inputs["image_grid_thw"][i])
            n_tokens = int((new[i] != pad_id).sum())
            answers.append(VLMAnswer(text.strip(), latency, 1, space=(gw * patch, gh * patch), tokens=n_tokens))
        return answers

    def info(self) -> dict:
        coords = ("pixels of the smart_resize'd model input" if self.coords == "pixels"
                  else "0-1000 relative to the image sent")
        return {"name": self.name, "family": self.family.label, "model_path": str(self.model_path),
                "device": self.device, "quantization": self.quantization or (self.load_in or None),
                "min_pixels": self.min_pixels, "max_pixels": self.max_pixels, "coords": coords,
                "batch_size": self.batch_size}


def _discover() -> Path | None:
    """The first Qwen2.5-VL, then Qwen3-VL folder of the models search order and the HF cache (no import of torch)."""
    from engine.models.discovery import discover
    from engine.models.families import get_family

    for name in ("qwen", "qwen3"):
        hits = discover(get_family(name))
        if hits:
            return hits[0].path
    return None


def _pick_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch
    except ImportError as exc:
        raise BackendError("critic 'qwen' needs torch and transformers: pip install 'sam-sculpt[vlm]'") from exc
    return "cuda" if torch.cuda.is_available() else "cpu"
