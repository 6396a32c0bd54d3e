"""What every domain's Typer sub-app needs: a unit of work and one way to report refusals."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

import typer

from yagona.kernel.errors import YagonaError

if TYPE_CHECKING:  # `yagona --help` imports this module: no SQLAlchemy for a type
    from yagona.platform.uow import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


class CliEnvironment(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...


def environment(ctx: typer.Context) -> CliEnvironment:
    """The app's CLI puts its environment on the root context; sub-apps read it here."""
    root = ctx.find_root()
    assert root.obj is not None, "the yagona CLI sets its environment before running a command"
    env: CliEnvironment = root.obj
    return env


def refusals_to_exit(fn: Callable[P, R]) -> Callable[P, R]:
    """A typed refusal prints `error[code]: message` on stderr and exits 1, as in every channel."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except YagonaError as error:
            typer.echo(f"error[{error.code}]: {error.message}", err=True)
            raise typer.Exit(1) from error

    return wrapper


def echo_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")
