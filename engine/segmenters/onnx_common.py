"""Torch-free pieces of the SAM backends: the prompt rules, fingerprints, the upsampling of one
low-res logit map, and SAM's prompt decoder run by ONNX Runtime (numpy + onnxruntime only, so the
`sam-onnx` segmenter works on an install without torch).

Decoder files understood (inputs by name, as segment_anything's SamOnnxModel export names them):
  image_embeddings (1, C, 64, 64), point_coords (1, N, 2), point_labels (1, N), mask_input
  (1, 1, 256, 256), has_mask_input (1,), and optionally orig_im_size (2,) (the standard export of
  segment_anything's scripts/export_onnx_model.py, samexporter, labelme / X-AnyLabeling files);
  outputs iou_predictions (1, K) and low_res_masks (1, K, 256, 256); a standard file's full-size
  `masks` output is not used (only the chosen mask is upsampled, by OpenCV)."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from engine.errors import BackendError
from engine.registry import missing_extra
from engine.types import Box, Point

log = logging.getLogger("sam_sculpt.onnx")
RUNTIMES = ("torch", "onnx", "auto")  # the `sam` backend's decoder runtimes
# onnxruntime threads of a click when decoder_threads is not set: None = onnxruntime's choice (the physical
# cores). Measured on the shared 2-core box, 50 clicks, vit_b: 2 threads beat 1 in three runs out of three
# (148 vs 189, 179 vs 235, 341 vs 452 ms p50) once spin-waiting is off (see ort_session)
DEFAULT_DECODER_THREADS: int | None = None
DECODER_INPUTS = ("image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input")
DECODER_OUTPUTS = ("iou_predictions", "low_res_masks")
PIXEL_MEAN = np.array([123.675, 116.28, 103.53], np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], np.float32)


def preprocess_shape(h: int, w: int, long_side: int) -> tuple[int, int]:
    """(h, w) after resizing the long side to `long_side` (SAM's rounding)."""
    scale = long_side / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def use_multimask(box: Box | None, points: Sequence[Point]) -> bool:
    """Ambiguous prompts (the box alone, or a single click alone) get SAM's three candidates;
    once points disambiguate, one mask is asked for."""
    return (box is not None and not points) or (box is None and len(points) == 1)


def file_fingerprint(path: Path, chunk: int = 1 << 20) -> str:
    """Cheap content fingerprint of a large weights file: size + first and last MiB."""
    size = path.stat().st_size
    h = hashlib.blake2b(digest_size=12)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        h.update(f.read(chunk))
        if size > chunk:
            f.seek(max(chunk, size - chunk))
            h.update(f.read(chunk))
    return h.hexdigest()


def upsample_logits(low_res: np.ndarray, input_size: tuple[int, int], original_size: tuple[int, int],
                    img_size: int) -> np.ndarray:
    """One low-res logit map (h, w) -> bool (H, W): SAM's two bilinear steps (to the padded square
    input, crop, to the image) by OpenCV, for one map only."""
    x = np.ascontiguousarray(low_res, np.float32)
    x = cv2.resize(x, (img_size, img_size), interpolation=cv2.INTER_LINEAR)[: input_size[0], : input_size[1]]
    if tuple(x.shape) != tuple(original_size):
        x = cv2.resize(x, (original_size[1], original_size[0]), interpolation=cv2.INTER_LINEAR)
    return x > 0


def prompt_arrays(coords: np.ndarray | None, labels: np.ndarray | None,
                  box: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """point_coords (1, N, 2) and point_labels (1, N) float32 in SamOnnxModel's encoding: clicks 1 / 0,
    box corners 2 / 3 after the clicks, and without a box one padding point labelled -1 (what
    PromptEncoder adds itself), so the decoder sees exactly the torch path's tokens."""
    pts: list[np.ndarray] = []
    labs: list[np.ndarray] = []
    if coords is not None and labels is not None and len(coords):
        pts.append(np.asarray(coords, np.float32).reshape(-1, 2))
        labs.append(np.asarray(labels, np.float32).reshape(-1))
    if box is not None:
        pts.append(np.asarray(box, np.float32).reshape(2, 2))
        labs.append(np.array([2, 3], np.float32))
    else:
        pts.append(np.zeros((1, 2), np.float32))
        labs.append(np.array([-1], np.float32))
    return np.concatenate(pts)[None], np.concatenate(labs)[None]


def decoder_feed(features: np.ndarray, coords: np.ndarray | None, labels: np.ndarray | None, box: np.ndarray | None,
                 mask_input: np.ndarray | None) -> dict[str, np.ndarray]:
    """SamOnnxModel's decoder inputs for one prompt (the previous low-res logits as mask_input, if any)."""
    pc, pl = prompt_arrays(coords, labels, box)
    return {
        "image_embeddings": np.ascontiguousarray(features, np.float32),
        "point_coords": pc,
        "point_labels": pl,
        "mask_input": (np.zeros((1, 1, 256, 256), np.float32) if mask_input is None
                       else np.ascontiguousarray(mask_input, np.float32).reshape(1, 1, 256, 256)),
        "has_mask_input": np.array([0.0 if mask_input is None else 1.0], np.float32),
    }


def import_onnxruntime(what: str) -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise missing_extra(what, "onnx", exc) from None
    return onnxruntime


def resolve_providers(ort: Any, providers: str = "auto") -> list[str]:
    """'auto' = CUDA when this onnxruntime has it, else CPU; 'cpu'; 'cuda'."""
    available = set(ort.get_available_providers())
    if providers == "cpu":
        return ["CPUExecutionProvider"]
    if providers == "cuda":
        if "CUDAExecutionProvider" not in available:
            raise BackendError("onnxruntime has no CUDA provider here (install onnxruntime-gpu) - use providers: cpu")
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if providers != "auto":
        raise BackendError(f"providers must be auto, cpu or cuda (got {providers!r})")
    return (["CUDAExecutionProvider"] if "CUDAExecutionProvider" in available else []) + ["CPUExecutionProvider"]


def ort_session(model: Path | bytes, threads: int | None = None, providers: str = "auto", what: str = "sam") -> Any:
    """An InferenceSession with every graph optimisation, `threads` intra-op threads, sequential."""
    ort = import_onnxruntime(what)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.inter_op_num_threads = 1
    if threads:
        opts.intra_op_num_threads = int(threads)
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting on a shared CPU
    try:
        return ort.InferenceSession(model if isinstance(model, bytes) else str(model), sess_options=opts,
                                    providers=resolve_providers(ort, providers))
    except Exception as exc:  # onnxruntime raises its own exception types for a bad file
        name = "the exported model" if isinstance(model, bytes) else str(model)
        raise BackendError(f"{name}: not a loadable ONNX model ({' '.join(str(exc).split())[:200]})") from None


@dataclass
class DecoderSession:
    """SAM's prompt encoder + mask decoder as one ONNX graph (see the module docstring)."""

    session: Any
    source: str
    needs_orig_size: bool
    num_masks: int  # 4 (single + three candidates) or 1 for a single-mask export

    @classmethod
    def open(cls, model: Path | bytes, threads: int | None = None, providers: str = "auto",
             source: str | None = None) -> DecoderSession:
        sess = ort_session(model, threads, providers, "segmenter 'sam-onnx'")
        src = source or str(model if not isinstance(model, bytes) else "exported decoder")
        names_in = [i.name for i in sess.get_inputs()]
        names_out = [o.name for o in sess.get_outputs()]
        missing = [n for n in DECODER_INPUTS if n not in names_in] + [n for n in DECODER_OUTPUTS if n not in names_out]
        if missing:
            raise BackendError(f"{src}: not a SAM prompt decoder ONNX (missing {', '.join(missing)}; it has inputs "
                               f"{', '.join(names_in)} and outputs {', '.join(names_out)})")
        shape = next(o.shape for o in sess.get_outputs() if o.name == "low_res_masks")
        k = shape[1] if len(shape) == 4 and isinstance(shape[1], int) else 4
        return cls(sess, src, "orig_im_size" in names_in, int(k))

    def run(self, features: np.ndarray, coords: np.ndarray | None, labels: np.ndarray | None, box: np.ndarray | None,
            mask_input: np.ndarray | None, original_size: tuple[int, int],
            image_key: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """-> (low-res logits (K, 256, 256), scores (K,)) for one prompt; index 0 is the single mask.
        `image_key` is accepted for SplitDecoderSession's sake (one graph has nothing to remember)."""
        feed = decoder_feed(features, coords, labels, box, mask_input)
        if self.needs_orig_size:
            feed["orig_im_size"] = np.array(original_size, np.float32)
        scores, low = self.session.run(list(DECODER_OUTPUTS), feed)
        return low[0], scores[0]


@dataclass
class SplitDecoderSession:
    """The `sam` runtime's decoder as two graphs (engine/segmenters/onnx_split_decoder.py): the image graph
    runs once per embedding, the prompt graph per click. Same run() as DecoderSession, plus `image_key`:
    the caller's embedding object (held, compared by identity); the image graph's outputs are remembered
    for the last one. Without a key nothing is remembered (the image graph runs every time)."""

    image: Any
    prompt: Any
    source: str
    needs_orig_size: bool = False
    num_masks: int = 4
    _memo: tuple[Any, dict[str, np.ndarray]] | None = None  # (the embedding object, the image graph's outputs)

    @classmethod
    def open(cls, image_model: Path | bytes, prompt_model: Path | bytes, threads: int | None = None,
             providers: str = "auto", source: str = "exported decoder") -> SplitDecoderSession:
        image = ort_session(image_model, threads, providers, "segmenter 'sam'")
        prompt = ort_session(prompt_model, threads, providers, "segmenter 'sam'")
        return cls(image, prompt, source)

    def image_side(self, features: np.ndarray, image_key: Any = None) -> dict[str, np.ndarray]:
        memo = self._memo
        if image_key is not None and memo is not None and memo[0] is image_key:
            return memo[1]
        outs = self.image.run(None, {"image_embeddings": np.ascontiguousarray(features, np.float32)})
        out = {o.name: v for o, v in zip(self.image.get_outputs(), outs, strict=True)}
        if image_key is not None:
            self._memo = (image_key, out)  # one assignment: another thread sees the old pair or the new one
        return out

    def run(self, features: np.ndarray, coords: np.ndarray | None, labels: np.ndarray | None, box: np.ndarray | None,
            mask_input: np.ndarray | None, original_size: tuple[int, int],
            image_key: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """-> (low-res logits (4, 256, 256), scores (4,)) for one prompt; index 0 is the single mask."""
        feed = {**decoder_feed(features, coords, labels, box, mask_input), **self.image_side(features, image_key)}
        feed.pop("image_embeddings")  # the prompt graph takes the image graph's tokens instead
        scores, low = self.prompt.run(list(DECODER_OUTPUTS), feed)
        return low[0], scores[0]


AGREEMENT_MIN = 0.99  # IoU of every check mask vs torch for `auto` to choose onnx


def import_onnx_packages() -> Any:
    """onnx (torch.onnx.export needs it) and onnxruntime; ImportError when either is missing."""
    import onnx  # noqa: F401
    import onnxruntime

    return onnxruntime


def choose_onnx_decoder(backend: str, runtime: str, providers: str, build: Callable[[str], tuple[Any, Any]],
                        agreement_of: Callable[[Any], float | None]) -> tuple[Any, Any]:
    """The `runtime: torch | onnx | auto` policy of every backend whose clicks' decoder exports: -> (the ONNX
    decoder or None for torch, the export record or None). build(providers) exports or loads the decoder;
    agreement_of(record) is its minimum mask IoU vs torch (None: not a reason to keep torch). `auto` keeps torch,
    with one log line, when onnx / onnxruntime are missing, the export fails, its masks do not match torch, or the
    model is on a GPU and onnxruntime has no CUDA provider (a CPU decoder behind a GPU encoder would be slower);
    `onnx` insists (a one-line error, or the CPU provider with a warning)."""
    if runtime not in RUNTIMES:
        raise BackendError(f"segmenter '{backend}': runtime must be torch, onnx or auto (got {runtime!r})")
    if runtime == "torch":
        return None, None
    try:
        ort = import_onnx_packages()
    except ImportError as exc:
        if runtime == "onnx":
            raise missing_extra(f"segmenter '{backend}' with runtime: onnx", "onnx", exc) from None
        log.info("%s: %s not installed: the decoder runs in torch (pip install 'sam-sculpt[onnx]')", backend, exc.name)
        return None, None
    if providers == "cuda" and "CUDAExecutionProvider" not in ort.get_available_providers():
        if runtime == "auto":
            log.info("%s: onnxruntime has no CUDA provider: the decoder stays in torch on the GPU", backend)
            return None, None
        log.warning("%s: runtime onnx on a GPU, but onnxruntime has no CUDA provider: the decoder runs on the CPU", backend)
        providers = "cpu"
    try:
        dec, record = build(providers)
    except Exception as exc:  # torch.onnx raises many types; auto falls back, onnx says why
        text = " ".join(str(exc).split())[:200] or type(exc).__name__
        if runtime == "onnx":
            raise exc if isinstance(exc, BackendError) else BackendError(f"segmenter '{backend}': ONNX export failed ({text})") from None
        log.warning("%s: ONNX decoder unavailable (%s): using torch", backend, text)
        return None, None
    iou = agreement_of(record)
    if runtime == "auto" and iou is not None and iou < AGREEMENT_MIN:
        log.warning("%s: the ONNX decoder's masks match torch only to IoU %.4f (< %.2f): using torch", backend, iou,
                    AGREEMENT_MIN)
        return None, record
    return dec, record


def select(low: np.ndarray, scores: np.ndarray, multimask: bool, num_masks: int) -> tuple[np.ndarray, np.ndarray]:
    """The candidates SAM returns for `multimask` (all-candidate exports: 1..3, else 0)."""
    if num_masks == 1:
        return low, scores
    keep = slice(1, None) if multimask else slice(0, 1)
    return low[keep], scores[keep]


def iou_floor(iou: float) -> str:
    """A minimum IoU for a ">=" message, rounded down (0.99999 is shown as 0.9999, not 1.0000)."""
    return f"{math.floor(iou * 1e4) / 1e4:.4f}"


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def check_prompts(img_size: int = 1024) -> list[tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]]:
    """Fixed prompts (coords, labels, box in the model's input frame) for comparing two decoders."""
    s = img_size / 1024
    box = np.array([200, 180, 760, 640], np.float32) * s
    pts = np.array([[480, 400], [300, 250], [700, 600], [520, 300]], np.float32) * s
    labs = np.array([1, 0, 0, 1], np.int64)
    return [(None, None, box), (pts[:1], labs[:1], box), (pts[:1], labs[:1], None), (pts, labs, box)]


def quantize_int8(src: Path, dst: Path) -> Path:
    """Dynamic int8 quantisation of a decoder (weights int8, activations quantised on the fly)."""
    import_onnxruntime("quantize: int8")
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # needs the onnx package too
        raise missing_extra("quantize: int8", "onnx", exc) from None
    tmp = dst.with_name(dst.name + ".tmp")
    logging.disable(logging.WARNING)  # the quantiser logs a line per tensor (and advice) on the root logger
    try:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QUInt8, per_channel=False, reduce_range=False)
    finally:
        logging.disable(logging.NOTSET)
    tmp.replace(dst)
    return dst
