"""`qwen`: a local Qwen2.5-VL (3B / 7B / 7B-AWQ folders) through transformers + qwen_vl_utils.

The model lives in the model manager (loaded on first use, unloadable when memory is short). The square
judgements of a round go to the model as ONE batched, left-padded, greedy generate call. Grounding replies
are absolute pixels of the smart_resize'd model input, which is what coord_space() reports."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.critics.vlm import VLMAnswer, VLMCritic, VLMRequest
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import CRITICS
from engine.sculpt.render import resize_long_side

log = logging.getLogger("sam_sculpt.critics")
PIXEL_FACTOR = 28  # patch 14 x spatial merge 2: Qwen2.5-VL input sides are multiples of this


@CRITICS.register("qwen")
class QwenCritic(VLMCritic):
    name = "qwen"
    coords = "pixels"

    def __init__(self, model_path: str = "models/Qwen2.5-VL-3B-Instruct", device: str = "auto",
                 min_pixels: int = 256 * 28 * 28, max_pixels: int = 1280 * 28 * 28, max_side: int = 0,
                 batch_size: int = 8, max_reply_length: int = 0) -> None:
        self.model_path = Path(model_path).expanduser()
        if not (self.model_path / "config.json").exists():
            raise BackendError(f"critic 'qwen': no model at {self.model_path} (expected a Qwen2.5-VL folder with "
                               f"config.json, e.g. Qwen/Qwen2.5-VL-3B-Instruct; set critic.options.qwen.model_path)")
        if min_pixels <= 0 or max_pixels < min_pixels:
            raise BackendError(f"critic 'qwen': need 0 < min_pixels <= max_pixels (got {min_pixels}, {max_pixels})")
        self.config = json.loads((self.model_path / "config.json").read_text(encoding="utf-8"))
        self.quantization = (self.config.get("quantization_config") or {}).get("quant_method")
        self.device = _pick_device(device)
        self.min_pixels, self.max_pixels = int(min_pixels), int(max_pixels)
        self.max_side = int(max_side)  # extra cap on the long side (0 = none: callers already send <= vlm_max_side)
        self.batch_size = max(1, int(batch_size))
        self.max_reply_length = int(max_reply_length)  # 0 = per-prompt defaults
        self.key = f"qwen:{self.model_path.resolve()}:{self.device}"
        size = sum(p.stat().st_size for p in self.model_path.glob("*.safetensors")) or 1
        get_manager().register(self.key, self._load, size_bytes=size, device=self.device)

    # ---- model ---------------------------------------------------------------------------------
    def _load(self) -> tuple[Any, Any]:
        import torch
        from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

        if self.quantization == "awq":
            try:
                import awq  # noqa: F401  (the AWQ kernels transformers loads this checkpoint with)
            except ImportError as exc:
                raise BackendError(f"critic 'qwen': {self.model_path} is an AWQ checkpoint and needs autoawq: "
                                   "pip install -e '.[awq]'") from exc
        if self.device == "cpu":
            dtype = torch.float32
        else:
            dtype = torch.float16 if self.quantization == "awq" else torch.bfloat16
        try:
            model = Qwen2_5_VLForConditionalGeneration.from_pretrained(self.model_path, dtype=dtype).to(self.device).eval()
            processor = AutoProcessor.from_pretrained(self.model_path)
        except (OSError, ValueError) as exc:
            raise BackendError(f"critic 'qwen': could not load {self.model_path}: {str(exc).splitlines()[0]}") from exc
        processor.tokenizer.padding_side = "left"  # batched generation continues every row from its end
        return model, processor

    def loaded(self) -> tuple[Any, Any]:
        return get_manager().get(self.key)

    def unload(self, reason: str = "stage ended") -> bool:
        return get_manager().unload(self.key, reason)

    # ---- coordinates ---------------------------------------------------------------------------
    def coord_space(self, sent_w: int, sent_h: int) -> tuple[float, float]:
        from qwen_vl_utils import smart_resize

        h, w = smart_resize(sent_h, sent_w, factor=PIXEL_FACTOR, min_pixels=self.min_pixels, max_pixels=self.max_pixels)
        return float(w), float(h)

    def max_tokens(self, prompt_id: str) -> int:
        return self.max_reply_length or super().max_tokens(prompt_id)

    # ---- asking --------------------------------------------------------------------------------
    def ask(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        answers: list[VLMAnswer] = []
        for i in range(0, len(requests), self.batch_size):
            answers.extend(self._generate(requests[i : i + self.batch_size]))
        return answers

    def _generate(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        import torch
        from PIL import Image
        from qwen_vl_utils import process_vision_info

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
            images, _ = process_vision_info(conversations)
            inputs = processor(text=texts, images=images, padding=True, return_tensors="pt").to(self.device)
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=max(r.max_tokens for r in requests), do_sample=False,
                                     pad_token_id=pad_id)
        except Exception as exc:  # OOM, a processor/template mismatch: the round fails, a fallback chain takes over
            why = f"generate failed: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
            log.warning("qwen: %s", why)
            return [VLMAnswer("", time.perf_counter() - t0, error=why) for _ in requests]
        new = out[:, inputs["input_ids"].shape[1] :]
        texts_out = processor.batch_decode(new, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        patch = int(getattr(processor.image_processor, "patch_size", 14))
        latency = time.perf_counter() - t0
        answers = []
        for i, text in enumerate(texts_out):
            _, gh, gw = (int(v) for v in inputs["image_grid_thw"][i])
            n_tokens = int((new[i] != pad_id).sum())
            answers.append(VLMAnswer(text.strip(), latency, 1, space=(gw * patch, gh * patch), tokens=n_tokens))
        return answers

    def info(self) -> dict:
        return {"name": self.name, "model_path": str(self.model_path), "device": self.device,
                "quantization": self.quantization, "min_pixels": self.min_pixels, "max_pixels": self.max_pixels,
                "coords": "pixels of the smart_resize'd model input", "batch_size": self.batch_size}


def _pick_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch
    except ImportError as exc:
        raise BackendError("critic 'qwen' needs torch and transformers: pip install -e '.[vlm]'") from exc
    return "cuda" if torch.cuda.is_available() else "cpu"
