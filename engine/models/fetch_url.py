"""Download one file by URL (the official SAM 1 checkpoints): resume with an HTTP Range request from the
`.part` file, sha256 check, the `.part` renamed only when complete, a per-read timeout plus an overall
deadline, a progress bar, and one line on any network error."""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from pathlib import Path

from engine.errors import BackendError
from engine.models.progress import DownloadCancelled, ProgressHook, bars_disabled

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def fetch_url(url: str, dest: Path, sha256: str | None = None, size: int | None = None,
              hook: ProgressHook | None = None, timeout_s: float = 30.0) -> Path:
    """Fetch url to dest (resuming dest + '.part'); returns dest. Raises BackendError with one line."""
    hook = hook or ProgressHook()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_file() and (sha256 is None or sha256_of(dest) == sha256):
        return dest  # already complete
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"User-Agent": "sam-sculpt", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout_s)  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the part file is already complete: verify it below
            resp = None
        else:
            raise BackendError(f"download {url}: HTTP {exc.code} {exc.reason}") from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendError(f"download {url}: cannot connect ({reason}); offline? run the same command again "
                           "when the network is back") from exc
    if resp is not None:
        _stream(resp, part, have, size, url, hook)
    if size is not None and part.stat().st_size != size:
        raise BackendError(f"download {url}: got {part.stat().st_size} bytes, expected {size}; partial file kept at "
                           f"{part} (run the same command again to resume)")
    if sha256 is not None:
        got = sha256_of(part)
        if got != sha256:
            part.unlink(missing_ok=True)
            raise BackendError(f"download {url}: sha256 mismatch (expected {sha256[:12]}..., got {got[:12]}...); "
                               "the corrupt file was removed, run the command again")
    os.replace(part, dest)
    return dest


def _stream(resp, part: Path, have: int, size: int | None, url: str, hook: ProgressHook) -> None:
    from tqdm.auto import tqdm

    with resp:
        if have and resp.status == 200:  # the server ignored the Range header: start over
            have = 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else size
        mode = "ab" if have else "wb"
        done = have
        bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=part.name[:-5], disable=not hook.show_bar or bars_disabled())
        try:
            with open(part, mode) as f:
                while True:
                    hook.check()
                    try:
                        chunk = resp.read(CHUNK)
                    except (TimeoutError, OSError, http.client.HTTPException) as exc:
                        raise BackendError(f"download {url}: connection lost after {done} bytes ({exc}); partial "
                                           f"file kept at {part} (run the same command again to resume)") from exc
                    if not chunk:
                        break
                    f.write(chunk)
                    done += len(chunk)
                    bar.update(len(chunk))
                    hook.report(done, total, part.name[:-5])
        except DownloadCancelled:
            raise
        finally:
            bar.close()
    if total is not None and done < total:
        raise BackendError(f"download {url}: connection closed after {done} of {total} bytes; partial file kept at "
                           f"{part} (run the same command again to resume)")
