"""What the transformers streaming video trackers share (Sam2VideoModel, EdgeTamVideoModel): the folder (model_dir,
else discovery like the image segmenters: the models folders, then the Hugging Face cache), loading with
local_files_only=True, one streaming inference session fed frame by frame, and bounded memory: the session keeps
only the current frame's pixels and the memory bank the model reads (num_maskmem / max_object_pointers frames
around the current one, plus the prompted frames)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import BackendError, InputError
from engine.registry import missing_extra
from engine.segmenters import discovery
from engine.video.prompts import ObjectPrompt

log = logging.getLogger("sam_sculpt.video")


class HFVideoTracker:
    name = ""
    family = ""  # for messages
    segmenter = ""  # the image backend whose catalogue repos and folders are shared (sam2, edgetam)
    model_types: tuple[str, ...] = ()
    model_class = ""  # transformers class name
    layout = ""

    def __init__(self, model_dir: str | None = None, models_dir: str | None = None, variant: str | None = None,
                 device: str = "cpu", dtype: str = "float32", mask_threshold: float = 0.0, **_: Any) -> None:
        self.model_dir = self._folder(model_dir, models_dir, variant)
        self.device = "cuda" if device == "auto" and _cuda() else ("cpu" if device == "auto" else device)
        self.dtype_name = dtype
        self.mask_threshold = mask_threshold
        self._model: Any = None
        self._processor: Any = None
        self._session: Any = None
        self._size: tuple[int, int] | None = None
        self._direction: bool | None = None
        self._cond: set[int] = set()  # frames the user prompted
        self._anchors: set[int] = set()  # resume points
        self.load_s = 0.0

    # ---- where the weights are ------------------------------------------------------------------
    def _folder(self, model_dir: str | None, models_dir: str | None, variant: str | None) -> Path:
        if model_dir:
            folder = Path(model_dir).expanduser()
            if not folder.is_dir():
                raise BackendError(f"{folder}: {self.family} video model folder not found (expected {self.layout})")
            if discovery.read_model_type(folder) not in self.model_types:
                raise BackendError(f"{folder}: not a {self.family} video folder (config.json model_type "
                                   f"{' or '.join(repr(t) for t in self.model_types)} missing)")
            return folder.resolve()
        from engine.models.locations import search_order

        for loc in search_order(models_dir):
            hit = discovery.find_in_folder(loc.path, self.model_types, variant, self.segmenter)
            if hit is not None:
                log.info("%s: using %s (%s)", self.name, hit, loc.source)
                return hit.resolve()
        hit = discovery.find_in_hf_cache(self.segmenter, self.model_types, variant)
        if hit is None:
            raise BackendError(f"tracker '{self.name}': no {self.family} video folder (config.json model_type "
                               f"{self.model_types[0]!r}) found ({discovery.describe(self.segmenter, models_dir)}); "
                               f"run `sam-sculpt models download {self.segmenter}` or set track.model_dir")
        return hit

    # ---- loading ---------------------------------------------------------------------------------
    def _load(self) -> None:
        """Through the ModelManager (the memory budget; a second tracker on the same folder reuses the model)."""
        if self._model is not None:
            return
        from engine.models.manager import get_manager

        key = f"{self.name}:{self.model_dir}:{self.device}:{self.dtype_name}"
        size = sum(f.stat().st_size for f in self.model_dir.iterdir() if f.suffix in (".safetensors", ".bin"))
        mgr = get_manager()
        mgr.register(key, self._load_now, size, str(self.device))
        t0 = time.perf_counter()
        self._model, self._processor = mgr.get(key)
        self.load_s = time.perf_counter() - t0
        import torch

        self._dtype = getattr(torch, self.dtype_name)

    def _load_now(self) -> tuple[Any, Any]:
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise missing_extra(f"tracker '{self.name}'", "sam", exc) from None
        try:
            model = getattr(transformers, self.model_class).from_pretrained(self.model_dir, local_files_only=True)
        except Exception as exc:  # transformers raises OSError/ValueError/... for a bad folder
            msg = " ".join(str(exc).split())[:200]
            raise BackendError(f"{self.model_dir}: could not load the {self.family} video model ({msg})") from None
        model = model.eval().to(self.device, getattr(torch, self.dtype_name))
        return model, self._make_processor(model)

    def _make_processor(self, model: Any) -> Any:
        from transformers import Sam2ImageProcessor, Sam2VideoProcessor
        from transformers.models.sam2_video.video_processing_sam2_video import Sam2VideoVideoProcessor

        try:
            return Sam2VideoProcessor.from_pretrained(self.model_dir, local_files_only=True)
        except Exception:  # hub folders without a processor config: the family's standard preprocessing
            img = int(getattr(model.config, "image_size", 1024) or 1024)
            size = {"height": img, "width": img}
            return Sam2VideoProcessor(image_processor=Sam2ImageProcessor(size=size),
                                      video_processor=Sam2VideoVideoProcessor(size=size))

    # ---- the session -----------------------------------------------------------------------------
    def open(self, height: int, width: int) -> None:
        self._load()
        self._session = self._processor.init_video_session(inference_device=self.device, dtype=self._dtype)
        self._size = (height, width)
        self._direction = None
        self._cond, self._anchors = set(), set()

    def _pixels(self, frame: np.ndarray) -> Any:
        if self._size is None:
            raise BackendError(f"tracker '{self.name}': open() was not called")
        if tuple(frame.shape[:2]) != self._size:
            raise InputError(f"frame of {frame.shape[1]}x{frame.shape[0]} px in a sequence of "
                             f"{self._size[1]}x{self._size[0]} px frames")
        inputs = self._processor(images=frame if frame.flags.writeable else frame.copy(), return_tensors="pt")
        return inputs["pixel_values"][0].to(self.device, self._dtype)

    def prompt(self, index: int, frame: np.ndarray, objects: list[ObjectPrompt],
               anchor: bool = False) -> dict[int, np.ndarray]:
        """Condition on frame `index`. anchor=True: a resume point (a saved mask), forgotten by new_direction()."""
        import torch

        pixels = self._pixels(frame)
        new_ids: list[int] = []
        for obj in objects:
            new_ids.append(obj.obj_id)
            if obj.mask is not None:
                if obj.mask.shape != self._size:
                    raise InputError(f"init mask of object {obj.obj_id}: {obj.mask.shape[1]}x{obj.mask.shape[0]} px, "
                                     f"the frames are {self._size[1]}x{self._size[0]} px")
                self._processor.add_inputs_to_inference_session(
                    self._session, frame_idx=index, obj_ids=obj.obj_id, input_masks=obj.mask.astype(np.float32))
                continue
            kw: dict[str, Any] = {}
            if obj.box is not None:
                kw["input_boxes"] = [[[obj.box.x0, obj.box.y0, obj.box.x1, obj.box.y1]]]
            if obj.points:
                kw["input_points"] = [[[[x, y] for x, y, _ in obj.points]]]
                kw["input_labels"] = [[[lab for _, _, lab in obj.points]]]
            self._processor.add_inputs_to_inference_session(
                self._session, frame_idx=index, obj_ids=obj.obj_id, original_size=self._size, **kw)
        self._session.obj_with_new_inputs = new_ids  # each add call replaces the list: all objects are new here
        (self._anchors if anchor else self._cond).add(index)
        with torch.inference_mode():
            out = self._model(inference_session=self._session, frame=pixels, frame_idx=index)
        return self._masks(out, index)

    def step(self, index: int, frame: np.ndarray, reverse: bool = False) -> dict[int, np.ndarray]:
        import torch

        if self._direction is not None and self._direction != reverse:
            self.new_direction()
        self._direction = reverse
        pixels = self._pixels(frame)
        with torch.inference_mode():
            out = self._model(inference_session=self._session, frame=pixels, frame_idx=index, reverse=reverse)
        masks = self._masks(out, index)
        self._prune(index, reverse)
        return masks

    def _masks(self, out: Any, index: int) -> dict[int, np.ndarray]:
        masks = self._processor.post_process_masks([out.pred_masks.float()], original_sizes=[list(self._size)],
                                                   mask_threshold=self.mask_threshold, binarize=True)[0]
        return {int(obj_id): masks[i, 0].cpu().numpy().astype(bool) for i, obj_id in enumerate(out.object_ids)}

    def _window(self) -> int:
        cfg = self._model.config
        return max(int(getattr(cfg, "num_maskmem", 7)), int(getattr(cfg, "max_object_pointers_in_encoder", 16))) + 1

    def _prune(self, index: int, reverse: bool) -> None:
        """Bounded memory: drop frame pixels and memories the model will not read again."""
        s = self._session
        if s.processed_frames:
            for k in [k for k in s.processed_frames if k != index]:
                del s.processed_frames[k]
        keep = self._window()
        for per_obj in s.output_dict_per_obj.values():
            bank = per_obj["non_cond_frame_outputs"]
            for k in [k for k in bank if abs(k - index) > keep]:
                del bank[k]
        for tracked in s.frames_tracked_per_obj.values():
            for k in [k for k in tracked if abs(k - index) > keep]:
                del tracked[k]

    def new_direction(self) -> None:
        """Drop the tracked memories and resume anchors: the next direction starts from the user's prompts only."""
        if self._session is None:
            return
        s = self._session
        for obj_idx, per_obj in s.output_dict_per_obj.items():
            per_obj["non_cond_frame_outputs"].clear()
            for k in self._anchors - self._cond:
                per_obj["cond_frame_outputs"].pop(k, None)
                s.mask_inputs_per_obj[obj_idx].pop(k, None)
                s.point_inputs_per_obj[obj_idx].pop(k, None)
        self._anchors = set()
        for tracked in self._session.frames_tracked_per_obj.values():
            tracked.clear()
        self._direction = None

    def close(self) -> None:
        """End the session; the model stays with the ModelManager (reused, or unloaded under memory pressure)."""
        self._session = None
        self._model = None

    def info(self) -> dict:
        return {"tracker": self.name, "model_dir": str(self.model_dir), "model_class": self.model_class,
                "device": self.device, "dtype": self.dtype_name, "load_s": round(self.load_s, 3)}


def _cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False
