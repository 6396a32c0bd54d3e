"""Load, validate and cache the catalogue from its YAML data files.

The shipped files are package data (read through `importlib.resources`, so a wheel
or a zip import works too); an operator or a test may point at another directory.
Every problem of every file is collected before refusing, so one run shows them all.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from yagona.catalog.errors import CatalogueInvalidError
from yagona.catalog.schemas import Catalogue, CatalogueFile, GroupFile, NumberPlan, Package, Plan, cross_check
from yagona.kernel import yamldata

CATALOGUE_FILE = "catalogue.yaml"
NUMBER_PLAN_FILE = "number_plan.yaml"
# A bound on what one directory may hold, so a wrong path cannot make the loader read a disk.
MAX_FILES = 64
MAX_FILE_BYTES = 1_000_000

M = TypeVar("M", CatalogueFile, NumberPlan, GroupFile)


def default_data_dir() -> Traversable:
    return files("yagona.catalog") / "data"


@functools.cache
def _default_catalogue() -> Catalogue:
    return read_catalogue()


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue of `path`, or the shipped one (loaded once, then cached).

    Raises `CatalogueInvalidError` listing every problem found.
    """
    if path is None:
        return _default_catalogue()
    return read_catalogue(path)


def read_catalogue(directory: Traversable | None = None) -> Catalogue:
    """Read and validate the files of `directory` (the shipped data when None), bypassing the cache."""
    return _load(directory if directory is not None else default_data_dir())


def _load(directory: Traversable) -> Catalogue:
    problems: list[str] = []
    documents = _read_documents(directory, problems)
    if CATALOGUE_FILE not in documents or NUMBER_PLAN_FILE not in documents:
        missing = [name for name in (CATALOGUE_FILE, NUMBER_PLAN_FILE) if name not in documents]
        raise CatalogueInvalidError([*problems, *(f"{name}: missing or unreadable" for name in missing)])
    base = _validate(CatalogueFile, documents.pop(CATALOGUE_FILE), CATALOGUE_FILE, problems)
    number_plan = _validate(NumberPlan, documents.pop(NUMBER_PLAN_FILE), NUMBER_PLAN_FILE, problems)
    if base is None:
        raise CatalogueInvalidError(problems)
    context = {
        "unlimited_minutes_cap": base.rules.unlimited_minutes_cap,
        "mb_per_gb": base.rules.mb_per_gb,
    }
    group_files: list[GroupFile] = []
    plans: list[Plan] = []
    packages: list[Package] = []
    named: list[tuple[str, GroupFile]] = []
    for name, document in documents.items():
        group_file = _validate(GroupFile, document, name, problems)
        if group_file is None:
            continue
        if group_file.catalogue != base.catalogue:
            problems.append(f"{name}: header differs from {CATALOGUE_FILE} (version, date, order or source)")
        named.append((name, group_file))
    # Plans are listed in the order of the price list (by first page), not of the file names.
    for name, group_file in sorted(named, key=lambda item: _first_page(item[1])):
        group_files.append(group_file)
        packages += group_file.packages
        plans += _plans_of(name, group_file, context, problems)
    if problems or number_plan is None:
        raise CatalogueInvalidError(problems)
    return _assemble(base, number_plan, group_files, plans, packages)


def _read_documents(directory: Traversable, problems: list[str]) -> dict[str, Any]:
    if not directory.is_dir():
        raise CatalogueInvalidError([f"{directory}: not a directory"])
    entries = sorted((e for e in directory.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)
    if len(entries) > MAX_FILES:
        raise CatalogueInvalidError([f"{directory}: more than {MAX_FILES} data files"])
    documents: dict[str, Any] = {}
    for entry in entries:
        data = entry.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            problems.append(f"{entry.name}: larger than {MAX_FILE_BYTES} bytes")
            continue
        try:
            documents[entry.name] = yamldata.safe_load(data.decode("utf-8"))  # on every start
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{entry.name}: not valid YAML: {exc}")
    return documents


def _validate(model: type[M], document: Any, name: str, problems: list[str]) -> M | None:
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems += _describe(name, exc)
        return None


def _first_page(group_file: GroupFile) -> int:
    return int(group_file.group.source_pages.split("-")[0])


def _plans_of(name: str, group_file: GroupFile, context: dict[str, Any], problems: list[str]) -> list[Plan]:
    plans: list[Plan] = []
    for index, raw in enumerate(group_file.plans):
        label = f"{name}: plan {raw.get('id', f'#{index + 1}')}"
        if raw.get("group", group_file.group.id) != group_file.group.id:
            problems.append(f"{label}: group {raw['group']!r} differs from the file's group {group_file.group.id!r}")
            continue
        # Group defaults are merged shallowly: a key the plan sets replaces the default whole.
        merged = {**group_file.defaults, **raw, "group": group_file.group.id}
        try:
            plans.append(Plan.model_validate(merged, context=context))
        except ValidationError as exc:
            problems += _describe(label, exc)
    return plans


def _assemble(
    base: CatalogueFile,
    number_plan: NumberPlan,
    group_files: list[GroupFile],
    plans: list[Plan],
    packages: list[Package],
) -> Catalogue:
    fields: dict[str, Any] = {
        "header": base.catalogue,
        "rules": base.rules,
        "ussd": base.ussd,
        "services": base.services,
        "promo_subscriptions": base.promo_subscriptions,
        "groups": tuple(group_file.group for group_file in group_files),
        "plans": tuple(plans),
        "packages": tuple(packages),
        "number_plan": number_plan,
    }
    # The model checks the same on construction; running the check first reports one problem per line.
    problems = cross_check(Catalogue.model_construct(**fields))
    if problems:
        raise CatalogueInvalidError([f"catalogue: {problem}" for problem in problems])
    return Catalogue(**fields)


def _describe(name: str, exc: ValidationError) -> list[str]:
    described = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        described.append(f"{name}: {location}: {message}" if location else f"{name}: {message}")
    return described
