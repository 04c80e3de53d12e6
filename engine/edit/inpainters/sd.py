"""`sd`: Stable Diffusion inpainting (diffusers StableDiffusionInpaintPipeline) from a local folder in
the runwayml/stable-diffusion-inpainting layout. fp16 on CUDA, seedable, attention slicing and
model CPU offload for small GPUs. The pipeline is loaded once and kept by the model manager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.edit.devices import gpu_total_bytes, pick_device, pick_dtype
from engine.edit.inpainters.base import InpaintModel, InpaintRequest
from engine.edit.model_dirs import check_model_dir
from engine.edit.quiet import quiet_loading
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import INPAINTERS

SMALL_GPU_BYTES = 12 * 1024**3  # below this, other GPU models are unloaded before SD loads


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and f.suffix in (".safetensors", ".bin"))


@INPAINTERS.register("sd")
class SDInpainter(InpaintModel):
    name = "sd"
    size_multiple = 8

    def __init__(self, model_dir: str | None = None, device: str = "auto", dtype: str = "auto", attention_slicing: bool = False,
                 cpu_offload: bool = False, free_gpu: str | bool = "auto", resolution: int | None = None, **strategy) -> None:
        super().__init__(**strategy)
        self.model_dir = model_dir
        self.device_opt = device
        self.dtype_opt = dtype
        self.attention_slicing = bool(attention_slicing)
        self.cpu_offload = bool(cpu_offload)
        self.free_gpu = free_gpu
        self._resolution = int(resolution) if resolution else None
        self._pipe: Any = None
        self._path: Path | None = None
        self._device = ""

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> Any:
        if self._pipe is not None:
            return self._pipe
        path = check_model_dir(self.model_dir, "Stable Diffusion inpainting", "model_index.json", "--sd-model")
        device = pick_device(self.device_opt)
        dtype = pick_dtype(device, self.dtype_opt)
        key = f"sd-inpaint:{path}:{device}:{dtype}:{'offload' if self.cpu_offload else 'resident'}"
        manager = get_manager()
        if self._should_free_gpu(device):
            for entry in manager.report():
                if entry["loaded"] and str(entry["device"]).startswith("cuda") and entry["key"] != key:
                    manager.unload(entry["key"], "to make room for Stable Diffusion inpainting")
        manager.register(key, lambda: self._load_pipe(path, device, dtype), size_bytes=_dir_size(path), device=device)
        self._pipe, self._path, self._device = manager.get(key), path, device
        return self._pipe

    def _should_free_gpu(self, device: str) -> bool:
        if self.free_gpu == "auto":
            total = gpu_total_bytes(device)
            return total is not None and total < SMALL_GPU_BYTES
        return bool(self.free_gpu) and device.startswith("cuda")

    def _load_pipe(self, path: Path, device: str, dtype: Any) -> Any:
        try:
            from diffusers import StableDiffusionInpaintPipeline
        except ImportError as exc:
            raise BackendError(f"sd inpainter needs diffusers ({exc}); install it with: pip install 'sam-sculpt[edit]'") from exc
        try:
            with quiet_loading():
                pipe = StableDiffusionInpaintPipeline.from_pretrained(path, torch_dtype=dtype, safety_checker=None,
                                                                      requires_safety_checker=False, local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendError(f"{path}: could not load a Stable Diffusion inpainting pipeline ({first})") from None
        pipe.set_progress_bar_config(disable=True)
        if self.attention_slicing:
            pipe.enable_attention_slicing()
        if self.cpu_offload and device.startswith("cuda"):
            pipe.enable_model_cpu_offload()  # weights wait on the CPU, each part visits the GPU in turn
        else:
            pipe.to(device)
        return pipe

    @property
    def resolution(self) -> int | None:
        if self._resolution:
            return self._resolution
        pipe = self.load()
        return int(pipe.unet.config.sample_size) * int(pipe.vae_scale_factor)

    def info(self) -> dict:
        info: dict[str, Any] = {"name": self.name, "model_dir": str(self._path or self.model_dir),
                                "device": self._device or self.device_opt, "attention_slicing": self.attention_slicing,
                                "cpu_offload": self.cpu_offload}
        if self._pipe is not None:
            info["dtype"] = str(self._pipe.unet.dtype).replace("torch.", "")
            info["scheduler"] = type(self._pipe.scheduler).__name__
        return {**info, **self.strategy_info()}

    # -- running ---------------------------------------------------------------------------------
    def _run(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> np.ndarray:
        import torch
        from PIL import Image

        pipe = self.load()
        h, w = image.shape[:2]
        # a CPU generator gives the same noise on every device, so a seed means the same edit
        generator = torch.Generator("cpu").manual_seed(int(request.seed)) if request.seed is not None else None
        kwargs: dict[str, Any] = {}
        if request.progress is not None:
            def on_step(pipe_: Any, step: int, _t: Any, tensors: dict) -> dict:
                # some schedulers (PNDM) run one more timestep than asked for: report the real count
                total = int(getattr(pipe_, "num_timesteps", 0) or request.steps)
                request.progress(step + 1, total)
                return tensors

            kwargs["callback_on_step_end"] = on_step
        try:
            out = pipe(prompt=request.prompt, negative_prompt=request.negative_prompt or None,
                       image=Image.fromarray(image), mask_image=Image.fromarray(mask.astype(np.uint8) * 255),
                       height=h, width=w, num_inference_steps=int(request.steps), guidance_scale=float(request.guidance),
                       strength=1.0, generator=generator, output_type="np", **kwargs)
        except torch.cuda.OutOfMemoryError as exc:
            raise BackendError("sd inpainter: out of GPU memory; try attention_slicing, cpu_offload or a smaller "
                               "resolution in the edit settings") from exc
        result = np.asarray(out.images[0])
        return np.clip(np.round(result * 255.0), 0, 255).astype(np.uint8)
