"""Package discovery (everything else is in pyproject.toml): the code packages, plus the top-level
folders resources/ and auxiliary/ installed as the data packages `sam_sculpt_resources` and
`sam_sculpt_samples` with every file below them (found by walking the folders, so new prompts,
catalogue files, icons or translations need no edit here; engine/resources.py reads them)."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
DATA_FOLDERS = {"sam_sculpt_resources": "resources", "sam_sculpt_samples": "auxiliary"}
SKIP = {"__pycache__", ".ipynb_checkpoints"}


def data_packages(package: str, folder: str) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """The folder and each sub-folder as a (data-only) package, every file in it as package data."""
    root = HERE / folder
    packages, dirs, data = [], {}, {}
    for d in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        rel = d.relative_to(root)
        if SKIP.intersection(rel.parts) or any(part.startswith(".") for part in rel.parts):
            continue
        name = ".".join((package, *rel.parts))
        packages.append(name)
        dirs[name] = str(Path(folder, *rel.parts).as_posix())
        data[name] = [f.name for f in d.iterdir() if f.is_file() and not f.name.endswith((".pyc", ".tmp"))]
    return packages, dirs, data


packages = find_packages(include=["engine", "engine.*", "gui", "gui.*", "sam_sculpt"])
package_dir: dict[str, str] = {}
package_data: dict[str, list[str]] = {}
for pkg, folder in DATA_FOLDERS.items():
    p, d, data = data_packages(pkg, folder)
    packages += p
    package_dir.update(d)
    package_data.update(data)

setup(packages=packages, package_dir=package_dir, package_data=package_data, include_package_data=False)
