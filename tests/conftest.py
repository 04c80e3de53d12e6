"""Suite-wide settings: no hub, offscreen Qt, the repo root on sys.path."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def bare_discovery(tmp_path, monkeypatch):
    """Model discovery sees only tmp_path/models (returned): no checkout models/, no user folder, no HF cache, no
    API keys in the environment or the keyring, and an empty backend-menu cache before and after."""
    import engine.critics.secrets as secrets
    import engine.models.listing_choices as listing_choices
    import engine.models.locations as locations

    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(models))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_hub_empty"))
    monkeypatch.delenv("HF_HOME", raising=False)
    for env in ("OPENAI_API_KEY", "DASHSCOPE_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setattr(locations, "checkout_models_dir", lambda: None)
    monkeypatch.setattr(secrets, "_from_keyring", lambda _user: None)
    listing_choices.invalidate_choices()
    yield models
    listing_choices.invalidate_choices()
