"""`sam-sculpt models export-onnx CHECKPOINT`: a SAM checkpoint -> the encoder + decoder ONNX pair the
`sam-onnx` segmenter runs without torch (needs torch, segment_anything and onnx where it runs).

Writes <out>/<stem>.encoder.onnx and <stem>.decoder.onnx (and <stem>.decoder.int8.onnx with
--quantize int8), plus the split decoder sam-onnx's clicks use (<stem>.decoder_image.onnx +
<stem>.decoder_prompt.onnx, engine/segmenters/onnx_split_decoder.py), then prints the decoder's mask agreement with torch (minimum IoU over fixed
prompts on a random embedding) and the encoder's largest embedding difference on a test image.
Imports nothing heavy until run()."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from engine.errors import InputError

HELP = "export a SAM checkpoint to the encoder + decoder ONNX pair of the sam-onnx segmenter (needs torch here)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", type=Path, help="a segment_anything checkpoint (.pth), e.g. sam_vit_b_01ec64.pth")
    p.add_argument("--out", type=Path, help="folder for the ONNX files (default: the first existing model folder, "
                   "else the user data dir's models/)")
    p.add_argument("--name", help="file stem (default: the checkpoint's stem)")
    p.add_argument("--quantize", choices=["none", "int8"], default="none", help="also write an int8 decoder")
    p.add_argument("--no-encoder", action="store_true", help="only the decoder (the `sam` backend's runtime: onnx)")


def run(args: argparse.Namespace) -> int:
    from engine.io.atomic import write_bytes, write_json
    from engine.models import locations
    from engine.registry import missing_extra

    try:
        import torch  # noqa: F401
        from segment_anything.modeling import Sam  # noqa: F401
    except ImportError as exc:
        raise missing_extra("models export-onnx", "sam", exc) from None
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise missing_extra("models export-onnx", "onnx", exc) from None
    from engine.segmenters.onnx_common import (
        DecoderSession,
        SplitDecoderSession,
        file_fingerprint,
        quantize_int8,
    )
    from engine.segmenters.onnx_export import (
        AGREEMENT_MIN,
        EXPORT_VERSION,
        agreement,
        export_decoder,
        export_encoder,
        export_split_decoder,
    )
    from engine.segmenters.sam import build_sam, detect_arch, read_checkpoint
    from engine.segmenters.sam_onnx import split_files, split_record

    ckpt: Path = args.checkpoint.expanduser()
    if not ckpt.is_file():
        raise InputError(f"{ckpt}: checkpoint not found")
    out = (args.out.expanduser() if args.out else (locations.find_models_dir() or locations.user_models_dir()))
    stem = args.name or ckpt.stem
    state = read_checkpoint(ckpt)
    arch = detect_arch(state, str(ckpt))
    model = build_sam(arch)
    model.load_state_dict(state)
    del state
    written = []
    t = time.perf_counter()
    dec_path = out / f"{stem}.decoder.onnx"
    split = split_files(dec_path)
    for old in (*split, split_record(dec_path)):  # an earlier export's split decoder must not outlive it
        old.unlink(missing_ok=True)
    export_decoder(model, dec_path)
    written.append(dec_path)
    fp32 = DecoderSession.open(dec_path, providers="cpu")
    iou = agreement(model, fp32)
    print(f"decoder: {dec_path} ({dec_path.stat().st_size / 2**20:.1f} MB), mask IoU vs torch >= {iou:.4f}")
    image_bytes, prompt_bytes = export_split_decoder(model)  # what sam-onnx's clicks use when it is there
    split_iou = agreement(model, SplitDecoderSession.open(image_bytes, prompt_bytes, providers="cpu"))
    if split_iou >= AGREEMENT_MIN:
        for path, data in zip(split, (image_bytes, prompt_bytes), strict=True):
            write_bytes(path, data)
        write_json(split_record(dec_path), {"decoder_fingerprint": file_fingerprint(dec_path), "mask_iou_min": split_iou,
                                            "export_version": EXPORT_VERSION})
        written.extend(split)
        print(f"split decoder for sam-onnx's clicks: {split[0].name} + {split[1].name}, mask IoU vs torch >= {split_iou:.4f}")
    else:
        print(f"split decoder not written: its masks match torch only to IoU {split_iou:.4f}")
    if args.quantize == "int8":
        q = quantize_int8(dec_path, out / f"{stem}.decoder.int8.onnx")
        qiou = agreement(model, DecoderSession.open(q, providers="cpu"))
        written.append(q)
        print(f"int8 decoder: {q} ({q.stat().st_size / 2**20:.1f} MB), mask IoU vs torch fp32 >= {qiou:.4f} "
              "(random check embedding; measure on your images before relying on it)")
    if not args.no_encoder:
        enc_path = export_encoder(model, out / f"{stem}.encoder.onnx")
        written.append(enc_path)
        print(f"encoder: {enc_path} ({enc_path.stat().st_size / 2**20:.1f} MB)")
    print(f"{arch.variant} SAM exported in {time.perf_counter() - t:.1f}s; use it with: "
          f"sam-sculpt sculpt ... --segmenter sam-onnx --set segmenter.options.sam-onnx.encoder={out / (stem + '.encoder.onnx')}")
    return 0
