"""ROI boxes and llm_out files in both of the prototype's layouts; atomic writes."""

import json
import os

import pytest

from engine.errors import InputError
from engine.io.annotations import parse_box_arg, read_boxes, read_instance
from engine.io.atomic import atomic_open, write_json
from engine.types import Box


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "payload",
    [
        {"boxes": [[10, 20, 50, 60]]},
        [{"x0": 10, "y0": 20, "x1": 50, "y1": 60}],
        {"x0": 10, "y0": 20, "x1": 50, "y1": 60},
        [[10, 20, 50, 60]],
    ],
)
def test_both_box_layouts(tmp_path, payload):
    path = _write(tmp_path / "b.json", json.dumps(payload))
    assert read_boxes(path, (100, 100)) == [Box(10, 20, 50, 60)]


def test_box_is_clipped_to_the_image(tmp_path):
    path = _write(tmp_path / "b.json", json.dumps({"boxes": [[-10, -5, 150, 80]]}))
    assert read_boxes(path, (100, 60)) == [Box(0, 0, 100, 60)]


@pytest.mark.parametrize(
    "text, pattern",
    [
        ('{"boxes": [[1, 2, 3]', "malformed JSON"),
        ('{"boxes": []}', "no boxes found"),
        ('{"boxes": [[1, 2, "x", 4]]}', "box 0 is not four numbers"),
        ('{"boxes": [[50, 50, 10, 10]]}', "empty or inverted"),
        ('{"boxes": [[500, 500, 600, 600]]}', "lies outside the 100x100 image"),
        ("\xff\xfe", "malformed JSON|not UTF-8"),
    ],
)
def test_bad_box_files_name_the_file(tmp_path, text, pattern):
    path = tmp_path / "bad_sam_boxes.json"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    with pytest.raises(InputError, match=pattern) as err:
        read_boxes(path, (100, 100))
    assert "bad_sam_boxes.json" in str(err.value)


def test_box_argument():
    assert parse_box_arg("1,2,30,40") == Box(1, 2, 30, 40)
    with pytest.raises(InputError, match="four numbers"):
        parse_box_arg("1,2,3")


def test_instance_file(tmp_path):
    path = _write(tmp_path / "x_output.json", json.dumps({"instance": "crab", "reason": "claws", "synonyms": ["decapod"]}))
    info = read_instance(path)
    assert (info.name, info.reason, info.synonyms) == ("crab", "claws", ["decapod"])
    assert read_instance(tmp_path / "missing.json").name == "object"
    with pytest.raises(InputError, match="expected a JSON object"):
        read_instance(_write(tmp_path / "y.json", "[1, 2]"))


def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "final_mask.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_open(target) as f:
        f.write(b"half of the new")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["final_mask.png"]


def test_atomic_write_replaces(tmp_path):
    target = tmp_path / "a" / "s.json"
    write_json(target, {"a": 1})
    write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)
