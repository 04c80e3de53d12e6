"""`sam3`: SAM 3 through transformers, from a save_pretrained folder in the facebook/sam3 layout (a `sam3_video`
config: a detector and a tracker that share one ViT backbone).

- Text (+ optional box exemplar) prompts go to Sam3Model, the detector: `find_all(image, "crab")` proposes every
  matching instance; `predict_text("crab")` gives the best one as the object's initial mask.
- Clicks (box and points, previous mask) go to the tracker head (Sam3TrackerModel's prompt encoder + mask decoder),
  exactly like SAM 2: decoder-only, no encoder run per click.
The ViT runs once per image; its output is the cached embedding, from which the detector's and the tracker's necks
(cheap convolutions) are computed once per prepared image. The tracker is assembled from the same checkpoint
(`tracker_model.*`, `tracker_neck.*` tensors) around the detector's backbone, so the backbone is in memory once.
A plain `sam3` folder (detector only) does text and box prompts; clicks then need a facebook/sam3 folder."""

from __future__ import annotations

import logging
import math
from typing import Any

import cv2
import numpy as np
import torch

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.registry import SEGMENTERS
from engine.segmenters.base import Prediction
from engine.segmenters.devices import dtype_name, module_bytes
from engine.segmenters.found import FoundObject
from engine.segmenters.hf_base import HFSamBase, load_error, require_transformers
from engine.types import Box

log = logging.getLogger("sam_sculpt.sam3")


def tracker_skeleton(detector: Any, tracker_config: dict) -> Any:
    """A Sam3TrackerModel for the detector's vision config with a one-layer stand-in backbone (to be replaced by
    the detector's: share_backbone), its prompt encoder and mask decoder from `tracker_config`."""
    from transformers import Sam3TrackerConfig, Sam3TrackerModel

    tc = tracker_config
    vision = detector.config.vision_config.to_dict()
    vision["backbone_config"] = dict(vision["backbone_config"], num_hidden_layers=1, global_attn_indexes=[0])
    if (tc.get("vision_config") or {}).get("backbone_feature_sizes"):
        vision["backbone_feature_sizes"] = tc["vision_config"]["backbone_feature_sizes"]
    prompt = dict(tc.get("prompt_encoder_config") or {})
    if tc.get("image_size"):  # the video config's image_size overrides its prompt encoder's
        prompt["image_size"] = tc["image_size"]
    cfg = Sam3TrackerConfig(vision_config=vision, prompt_encoder_config=prompt or None,
                            mask_decoder_config=tc.get("mask_decoder_config"))
    return Sam3TrackerModel(cfg)


def share_backbone(tracker: Any, detector: Any) -> Any:
    tracker.vision_encoder.backbone = detector.vision_encoder.backbone  # one backbone in memory
    return tracker


@SEGMENTERS.register("sam3")
class Sam3Segmenter(HFSamBase):
    name = "sam3"
    family = "SAM 3"
    layout = "the facebook/sam3 layout: config.json (sam3_video) + model.safetensors + tokenizer files"

    def __init__(self, score_threshold: float = 0.5, mask_threshold: float = 0.5, max_objects: int = 20,
                 **options: Any) -> None:
        super().__init__(**options)
        self.score_threshold = float(score_threshold)
        self.mask_threshold = float(mask_threshold)
        self.max_objects = int(max_objects)
        self._vision: tuple[Any, Any] | None = None  # (features, detector vision embeds) of the prepared image
        self._texts: dict[str, Any] = {}

    def _input_size(self, config: dict) -> int:
        det = config.get("detector_config") or config
        return int(det.get("vision_config", {}).get("backbone_config", {}).get("image_size", 1008))

    # ---- loading ------------------------------------------------------------------------------
    def _load(self) -> tuple[Any, Any, Any]:
        Sam3Model, Sam3Processor, _ = require_transformers(self.name, "Sam3Model", "Sam3Processor", "Sam3TrackerModel")
        try:
            detector = Sam3Model.from_pretrained(self.model_dir, local_files_only=True)
            tracker = self._load_tracker(detector) if self.model_type == "sam3_video" else None
        except BackendError:
            raise
        except Exception as exc:  # transformers raises OSError/ValueError/... for a bad folder
            raise load_error(self.model_dir, self.family, exc) from None
        try:
            processor = Sam3Processor.from_pretrained(self.model_dir, local_files_only=True)
        except Exception as exc:
            raise BackendError(f"{self.model_dir}: no usable SAM 3 processor/tokenizer files "
                               f"({' '.join(str(exc).split())[:120]})") from None
        for m in (detector, tracker):
            if m is not None:
                m.eval().to(self.device, self.dtype)
        size = module_bytes(detector) + (module_bytes(tracker) - module_bytes(tracker.vision_encoder.backbone) if tracker else 0)
        log.info("sam3: %s (%.0f MB) on %s, %s, tracker %s", self.model_dir.name, size / 1e6, self.device,
                 dtype_name(self.dtype), "yes" if tracker else "no")
        return detector, tracker, processor

    def _load_tracker(self, detector: Any) -> Any:
        """Sam3TrackerModel around the detector's backbone, its other weights read from this checkpoint."""
        from safetensors import safe_open

        tracker = tracker_skeleton(detector, self.config.get("tracker_config") or {})
        renames = (("tracker_model.", ""), ("tracker_neck.", "vision_encoder.neck."))
        state: dict[str, torch.Tensor] = {}
        for path in self._weights:
            if path.suffix != ".safetensors":
                raise BackendError(f"{path}: SAM 3's tracker weights are read from .safetensors files only")
            with safe_open(str(path), framework="pt") as f:
                for key in f.keys():
                    name = key
                    while name.startswith("tracker_model.tracker_model."):  # transformers 5's save_pretrained nests it
                        name = name[len("tracker_model."):]
                    for old, new in renames:
                        if name.startswith(old):
                            state[new + name[len(old):]] = f.get_tensor(key)
        result = tracker.load_state_dict(state, strict=False)
        missing = [k for k in result.missing_keys if not k.startswith("vision_encoder.backbone.")]
        if missing:
            raise BackendError(f"{self.model_dir}: tracker weights missing from the checkpoint ({len(missing)} tensors, "
                               f"e.g. {missing[0]}); clicks need the facebook/sam3 layout")
        return share_backbone(tracker, detector)

    # ---- the embedding: the ViT's output, (1, C, s, s) -------------------------------------------
    def _encode(self, loaded: tuple[Any, Any, Any], image: np.ndarray) -> Embedding:
        detector, _, processor = loaded
        pixels = processor(images=image if image.flags.writeable else image.copy(), return_tensors="pt")["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            hidden = detector.vision_encoder.backbone(pixels).last_hidden_state
        s = pixels.shape[-1] // detector.config.vision_config.backbone_config.patch_size
        spatial = hidden.view(1, s, s, -1).permute(0, 3, 1, 2).float().contiguous()
        return Embedding(spatial, (self.img_size, self.img_size), tuple(image.shape[:2]))

    def _unpack(self, tracker: Any, spatial: torch.Tensor) -> dict[str, Any]:
        """The tracker's three feature levels, as Sam3TrackerModel.get_image_embeddings makes them."""
        fpn, _ = tracker.vision_encoder.neck(spatial.to(self.dtype))
        levels = list(fpn[: len(tracker.backbone_feature_sizes)])
        levels[0] = tracker.mask_decoder.conv_s0(levels[0])
        levels[1] = tracker.mask_decoder.conv_s1(levels[1])
        levels[-1] = levels[-1] + tracker.no_memory_embedding.view(1, -1, 1, 1)
        return {"image_embeddings": levels}

    def _vision_embeds(self, detector: Any, emb: Embedding) -> Any:
        from transformers.models.sam3.modeling_sam3 import Sam3VisionEncoderOutput

        if self._vision is None or self._vision[0] is not emb.features:
            spatial = torch.as_tensor(emb.features, device=self.device).to(self.dtype)
            fpn, pos = detector.vision_encoder.neck(spatial)
            out = Sam3VisionEncoderOutput(last_hidden_state=spatial.flatten(2).transpose(1, 2),
                                          fpn_hidden_states=fpn, fpn_position_encoding=pos)
            self._vision = (emb.features, out)
        return self._vision[1]

    # ---- clicks: the tracker head -------------------------------------------------------------
    def _decode(self, loaded, emb: Embedding, coords, labels, box, mask_input, multimask):
        _, tracker, _ = loaded
        if tracker is None:
            raise BackendError(f"{self.model_dir}: this SAM 3 folder has no tracker (model_type 'sam3'); clicks need "
                               "the facebook/sam3 layout (sam3_video); text prompts work")
        out = tracker(**self.image_kwargs(tracker, emb), **self.prompt_kwargs(coords, labels, box, mask_input),
                      multimask_output=multimask)
        return out.pred_masks[0, 0].float(), out.iou_scores[0, 0].float()

    # ---- text prompts: the detector ---------------------------------------------------------------
    def _detect(self, text: str, box: Box | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(scores (Q,), boxes (Q, 4) xyxy image px, mask logits (Q, h, w)) for the prepared image, best first."""
        emb = self._emb
        if emb is None:
            raise BackendError("segmenter 'sam3': prepare(image) must be called before a text prompt")
        if not text or not text.strip():
            raise BackendError("segmenter 'sam3': an empty text prompt (give the object's label, e.g. 'crab')")
        detector, _, processor = self.model()
        oh, ow = emb.original_size
        with torch.inference_mode():
            kw: dict[str, Any] = {}
            if box is not None:
                b = box.clip(ow, oh)
                cxcywh = [(b.x0 + b.x1) / 2 / ow, (b.y0 + b.y1) / 2 / oh, (b.x1 - b.x0) / ow, (b.y1 - b.y0) / oh]
                kw["input_boxes"] = torch.tensor([[cxcywh]], device=self.device, dtype=self.dtype)
                kw["input_boxes_labels"] = torch.ones(1, 1, dtype=torch.long, device=self.device)
            ids = self._texts.get(text)
            if ids is None:
                ids = self._texts[text] = processor(text=text.strip(), return_tensors="pt")
            out = detector(vision_embeds=self._vision_embeds(detector, emb), input_ids=ids["input_ids"].to(self.device),
                           attention_mask=ids["attention_mask"].to(self.device), **kw)
            scores = out.pred_logits[0].float().sigmoid()
            if out.presence_logits is not None:
                scores = scores * out.presence_logits[0].float().sigmoid()
            order = torch.argsort(scores, descending=True)
            boxes = out.pred_boxes[0].float()[order] * torch.tensor([ow, oh, ow, oh], device=scores.device)
            return scores[order].cpu().numpy(), boxes.cpu().numpy(), out.pred_masks[0].float()[order].cpu().numpy()

    def _full_mask(self, logits: np.ndarray) -> np.ndarray:
        oh, ow = self._emb.original_size
        t = min(max(self.mask_threshold, 1e-6), 1 - 1e-6)
        return cv2.resize(logits, (ow, oh), interpolation=cv2.INTER_LINEAR) > math.log(t / (1 - t))

    def find_all(self, image: np.ndarray, text: str, box: Box | None = None) -> list[FoundObject]:
        self.prepare(image)
        scores, boxes, logits = self._detect(text, box)
        found = []
        for i in range(min(len(scores), self.max_objects)):
            if scores[i] < self.score_threshold:
                break
            mask = self._full_mask(logits[i])
            if mask.any():
                x0, y0, x1, y1 = (float(v) for v in boxes[i])
                found.append(FoundObject(mask, Box(x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)), float(scores[i])))
        return found

    def predict_text(self, text: str, box: Box | None = None) -> Prediction:
        scores, _, logits = self._detect(text, box)
        return Prediction(self._full_mask(logits[0])[None], scores[:1].astype(np.float32), None)

    def unload(self, reason: str = "asked") -> bool:
        self._vision = None
        self._texts.clear()
        return super().unload(reason)

    def info(self) -> dict:
        out = super().info()
        out.update(score_threshold=self.score_threshold, mask_threshold=self.mask_threshold, max_objects=self.max_objects)
        return out
