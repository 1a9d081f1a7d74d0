"""Locate the Turtle files shipped with kratomkg.

In a wheel the ``ontology/`` and ``shapes/`` folders are installed as ``kratomkg/_data``;
in a source checkout (editable install, running the tests from the tree) they sit at the
top of the repository. Both layouts are supported so that curators can edit the Turtle and
see the effect without reinstalling.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["data_root", "kb_files", "ontology_file", "shape_files"]


def data_root() -> Path:
    """Return the folder holding ``ontology/`` and ``shapes/``."""
    packaged = Path(str(files("kratomkg"))) / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "ontology" / "kratomkg.ttl").is_file():
        return source_tree
    raise FileNotFoundError(
        "kratomkg data files not found: reinstall the package (pip install kratomkg)"
    )


def ontology_file() -> Path:
    """Return the path of the ontology (terms) Turtle file."""
    return data_root() / "ontology" / "kratomkg.ttl"


def kb_files() -> list[Path]:
    """Return the knowledge-base Turtle files, in a stable order."""
    return sorted((data_root() / "ontology" / "kb").glob("*.ttl"))


def shape_files() -> list[Path]:
    """Return the SHACL shape files, in a stable order."""
    return sorted((data_root() / "shapes").glob("*.ttl"))
