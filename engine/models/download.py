"""`models download`: a family's weights into the models folder. Repo ids and URLs come from the catalogue
(`repos` of each entry). Hugging Face through huggingface_hub.snapshot_download (HF_ENDPOINT mirrors and
HF_TOKEN honoured; the token is never printed), ModelScope through the `modelscope` package when installed,
the SAM 1 .pth files by URL (engine.models.fetch_url). Folders are downloaded into NAME.part and renamed
when complete, so discovery never sees half a model."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import BackendError, InputError
from engine.models.families import Family, package_installed
from engine.models.fetch_url import fetch_url
from engine.models.locations import find_models_dir, user_models_dir
from engine.models.progress import DownloadCancelled, ProgressHook, hooked_tqdm

log = logging.getLogger("sam_sculpt.models")
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class Plan:
    family: str
    variant: str
    source: str  # hf | modelscope | url
    repo: str  # repo id or URL
    dest: Path
    entry: dict[str, Any]


def target_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where downloads go: --dest, else the first existing models folder of the search order, else the user's."""
    if explicit:
        return Path(explicit).expanduser()
    return find_models_dir() or user_models_dir()


def plan(family: Family, variant: str | None = None, source: str = "hf", dest_root: Path | None = None) -> Plan:
    repos = family.repos
    if not repos:
        raise InputError(f"models download: '{family.name}' has nothing to download ({family.needs})")
    variant = variant or family.default_variant or next(iter(repos))
    if variant not in repos:
        raise InputError(f"models download {family.name}: unknown variant '{variant}' (known: {', '.join(repos)})")
    entry = repos[variant]
    root = dest_root or target_root()
    if entry.get("url"):
        url = str(entry["url"])
        return Plan(family.name, variant, "url", url, root / url.rsplit("/", 1)[-1], entry)
    if source not in ("hf", "modelscope"):
        raise InputError(f"models download: --source must be hf or modelscope (got '{source}')")
    repo = entry.get(source)
    if not repo:
        raise InputError(f"models download {family.name} --variant {variant}: no {source} id is known for it "
                         f"(use --source hf; in China set HF_ENDPOINT to a Hugging Face mirror)")
    return Plan(family.name, variant, source, str(repo), root / str(repo).rsplit("/", 1)[-1], entry)


def download(p: Plan, hook: ProgressHook | None = None, timeout_s: float = 30.0) -> Path:
    hook = hook or ProgressHook()
    if p.source == "url":
        return fetch_url(p.repo, p.dest, p.entry.get("sha256"), p.entry.get("size"), hook, timeout_s)
    if (p.dest / "config.json").is_file() or (p.dest / "model_index.json").is_file():
        log.info("%s is already there", p.dest)
        return p.dest
    needs = "huggingface_hub" if p.source == "hf" else "modelscope"
    if not package_installed(needs):  # before any folder is made
        raise BackendError(f"models download --source {p.source} needs the {needs} package: pip install {needs}")
    part = p.dest.with_name(p.dest.name + ".part")
    part.mkdir(parents=True, exist_ok=True)
    if p.source == "hf":
        _hf_snapshot(p.repo, part, hook, timeout_s)
    else:
        _modelscope_snapshot(p.repo, part)
    if p.dest.exists():
        shutil.rmtree(p.dest)  # an incomplete older copy (no config): replaced by the complete one
    os.replace(part, p.dest)
    cache = p.dest / ".cache"
    if cache.is_dir():
        shutil.rmtree(cache, ignore_errors=True)  # huggingface_hub's resume metadata, no longer needed
    return p.dest


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _hf_snapshot(repo_id: str, local_dir: Path, hook: ProgressHook, timeout_s: float) -> None:
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub import errors as hf_errors

    where = endpoint()
    for name in ("httpx", "httpx2"):  # their per-request INFO lines would drown the one-line errors
        logging.getLogger(name).setLevel(logging.WARNING)
    # its retry warnings ("Error while downloading ... Trying to resume") too: the failure is ours to say, once
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    if constants.HF_HUB_OFFLINE:
        raise BackendError(f"models download {repo_id}: HF_HUB_OFFLINE is set (offline mode); unset it to download")
    try:
        snapshot_download(repo_id, local_dir=local_dir, endpoint=where, etag_timeout=timeout_s,
                          tqdm_class=hooked_tqdm(hook), max_workers=4)
    except DownloadCancelled:
        raise
    except hf_errors.GatedRepoError as exc:
        raise BackendError(f"models download {repo_id}: the repository is gated: accept its licence on the model page, "
                           "then set HF_TOKEN (a read token) and run again") from exc
    except hf_errors.RepositoryNotFoundError as exc:
        raise BackendError(f"models download {repo_id}: not found on {where} (or private: set HF_TOKEN)") from exc
    except (hf_errors.LocalEntryNotFoundError, hf_errors.OfflineModeIsEnabled) as exc:
        raise BackendError(f"models download {repo_id}: cannot reach {where} (offline? in China set HF_ENDPOINT to a "
                           "Hugging Face mirror); files already fetched are kept, run again to resume") from exc
    except hf_errors.HfHubHTTPError as exc:
        raise BackendError(f"models download {repo_id}: {where} answered {_first_line(exc)}") from exc
    except OSError as exc:
        raise BackendError(f"models download {repo_id}: {_first_line(exc)}") from exc
    except Exception as exc:  # httpx connection errors and the like: one line, never a traceback
        raise BackendError(f"models download {repo_id}: cannot reach {where}: {type(exc).__name__}: "
                           f"{_first_line(exc)}") from exc


def _modelscope_snapshot(model_id: str, local_dir: Path) -> None:
    from modelscope import snapshot_download as ms_snapshot_download

    try:
        ms_snapshot_download(model_id, local_dir=str(local_dir))
    except Exception as exc:  # the SDK's own errors: one line
        raise BackendError(f"models download {model_id} (modelscope): {type(exc).__name__}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
