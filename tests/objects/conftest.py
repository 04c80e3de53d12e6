import pytest

from tests.critics.support import server  # noqa: F401 (fixture: the loopback VLM server)
from tests.objects.helpers import two_disc_scene


@pytest.fixture
def scene():
    return two_disc_scene()
