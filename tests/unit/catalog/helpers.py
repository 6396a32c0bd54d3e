"""Shared helpers for the catalogue tests: a writable copy of the shipped data files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from yagona.catalog import repository

DATA_DIR = Path(str(repository.default_data_dir()))


def copy_data(target: Path) -> Path:
    """A copy of the shipped data directory that a test may break."""
    destination = target / "data"
    shutil.copytree(DATA_DIR, destination)
    return destination


def read(directory: Path, name: str) -> Any:
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def write(directory: Path, name: str, document: Any) -> None:
    (directory / name).write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
