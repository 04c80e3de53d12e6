"""The embedding cache: LRU by bytes, disk hits from another process, corrupt files rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import make_sam

from engine.cache.embeddings import Embedding, EmbeddingCache, cache_key, image_hash
from engine.io.atomic import write_image

ROOT = Path(__file__).resolve().parents[2]


def emb(n_floats: int, value: float = 0.0) -> Embedding:
    return Embedding(np.full((1, 1, 1, n_floats), value, np.float32), (10, 20), (5, 10))


def test_memory_lru_is_bounded_by_bytes():
    cache = EmbeddingCache(memory_bytes=3 * 400)
    for key in "abc":
        cache.put_memory(key, emb(100))  # 400 bytes each
    cache.get_or_compute("a", lambda: pytest.fail("a is in memory"))  # a becomes most recent
    cache.put_memory("d", emb(100))
    assert [k for k in "abcd" if cache.in_memory(k)] == ["a", "c", "d"]  # b was least recently used
    cache.put_memory("big", emb(150))  # 600 bytes: two entries must go
    assert [k for k in ("a", "c", "d", "big") if cache.in_memory(k)] == ["d", "big"]
    assert cache.memory_used() <= cache.memory_bytes and cache.stats["evicted"] == 3
    cache.put_memory("huge", emb(1000))  # larger than the budget alone: not kept
    assert cache.memory_used() == 0


def test_key_depends_on_content_model_and_size():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 1
    assert image_hash(a) == image_hash(a.copy()) != image_hash(b)
    assert image_hash(a) != image_hash(a.reshape(4, 12, 1))
    k = cache_key(image_hash(a), "m1", 1024)
    assert k != cache_key(image_hash(a), "m2", 1024) and k != cache_key(image_hash(a), "m1", 512)


def test_disk_roundtrip_is_atomic_and_survives_a_new_cache(tmp_path):
    first = EmbeddingCache(disk_dir=tmp_path)
    e = Embedding(np.random.default_rng(0).standard_normal((1, 8, 4, 4)).astype(np.float32), (768, 1024), (480, 640))
    got, source = first.get_or_compute("k" * 40, lambda: e)
    assert source == "computed"
    files = list(tmp_path.rglob("*"))
    assert [p.name for p in files if p.is_file()] == ["k" * 40 + ".npz"]  # no temp files left behind
    second = EmbeddingCache(disk_dir=tmp_path)
    again, source = second.get_or_compute("k" * 40, lambda: pytest.fail("should come from disk"))
    assert source == "disk" and np.array_equal(again.features, e.features)
    assert again.input_size == (768, 1024) and again.original_size == (480, 640)


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip", "other_key", "empty"])
def test_corrupt_file_is_ignored_and_rebuilt(tmp_path, damage):
    cache = EmbeddingCache(disk_dir=tmp_path)
    key, other = "a" * 40, "b" * 40
    cache.get_or_compute(key, lambda: emb(5000, 1.0))
    cache.get_or_compute(other, lambda: emb(5000, 2.0))
    path = cache.path_for(key)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00garbage" * 100)
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # inside the stored array: the zip CRC catches it
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        path.write_bytes(bytes(b))
    elif damage == "other_key":  # a valid file under the wrong name
        path.write_bytes(cache.path_for(other).read_bytes())
    else:
        path.write_bytes(b"")
    fresh = EmbeddingCache(disk_dir=tmp_path)
    calls = []
    got, source = fresh.get_or_compute(key, lambda: calls.append(1) or emb(5000, 1.0))
    assert source == "computed" and calls == [1] and fresh.stats["corrupt"] == 1
    assert float(np.asarray(got.features).mean()) == 1.0
    rebuilt = EmbeddingCache(disk_dir=tmp_path).read_disk(key)  # the rewritten file is good again
    assert rebuilt is not None and float(rebuilt.features.mean()) == 1.0


def test_concurrent_requests_compute_once(tmp_path):
    cache = EmbeddingCache(disk_dir=tmp_path)
    calls = []

    def slow() -> Embedding:
        calls.append(1)
        time.sleep(0.2)
        return emb(10)

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k" * 40, slow)[1])) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and sorted(results) == ["computed", "memory", "memory", "memory"]


def test_disk_is_pruned_oldest_first(tmp_path):
    probe = EmbeddingCache(disk_dir=tmp_path / "probe")
    probe.write_disk("z" * 40, emb(1000))
    size = probe.disk_used()
    cache = EmbeddingCache(disk_dir=tmp_path / "c", disk_max_bytes=3 * size + 100)
    for i, key in enumerate(["a" * 40, "b" * 40, "c" * 40, "d" * 40]):
        cache.get_or_compute(key, lambda: emb(1000))  # ~4.2 kB each
        os.utime(cache.path_for(key), (1000 + i, 1000 + i))
    cache.write_disk("e" * 40, emb(1000))
    left = sorted(p.stem[0] for p in (tmp_path / "c").rglob("*.npz"))
    assert left == ["c", "d", "e"] and cache.disk_used() <= 3 * size + 100


def test_disk_hit_from_a_second_process(tmp_path, tiny_sam_checkpoint, scene):
    image_path = tmp_path / "scene.png"
    write_image(image_path, scene.image)
    cache_dir = tmp_path / "cache"
    from engine.io.images import load_image

    seg = make_sam(tiny_sam_checkpoint, cache_dir)
    seg.prepare(load_image(image_path))
    assert seg.last_source == "computed"
    mine = seg.predict(scene.box, [])
    np.save(tmp_path / "mine.npy", mine.masks)
    script = textwrap.dedent(f"""
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from engine.io.images import load_image
        from engine.registry import SEGMENTERS
        from engine.types import Box
        seg = SEGMENTERS.create("sam", checkpoint={str(tiny_sam_checkpoint)!r}, cache_dir={str(cache_dir)!r})
        seg.prepare(load_image({str(image_path)!r}))
        pred = seg.predict(Box(*{scene.box.as_list()!r}), [])
        same = bool(np.array_equal(pred.masks, np.load({str(tmp_path / 'mine.npy')!r})))
        print(json.dumps({{"source": seg.last_source, "encoder_calls": seg.encoder_calls, "same_mask": same}}))
    """)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"source": "disk", "encoder_calls": 0, "same_mask": True}
