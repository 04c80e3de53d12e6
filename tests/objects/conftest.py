import pytest

from tests.objects.helpers import two_disc_scene


@pytest.fixture
def scene():
    return two_disc_scene()
