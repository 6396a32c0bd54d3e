"""Our own data files (catalogues, rules, programmes) in YAML, read with libyaml's safe
parser where it is installed: the same values as `yaml.safe_load`, in a fraction of the time
at every start."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, on libyaml's parser when there is one."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
