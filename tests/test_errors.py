"""Every domain error derives from :class:`kpitool.errors.KpitoolError` and names its exit kind."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import kpitool
from kpitool.errors import ExitKind, KpitoolError
from kpitool.support.signals import Terminated


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(kpitool.__path__, "kpitool."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_public_exception_derives_from_the_one_base() -> None:
    classes = _exception_classes()
    assert len(classes) >= 12  # the errors of values, sources, rating, update, support, diff, render
    strays = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if not cls.__name__.startswith("_")
        and issubclass(cls, Exception)
        and not issubclass(cls, KpitoolError)
    ]
    assert strays == []
    # Not errors but a way to stop, like KeyboardInterrupt: only this one, and main() handles it.
    stops = [cls for cls in classes if not issubclass(cls, Exception)]
    assert stops == [Terminated]


def test_each_error_means_data_or_usage() -> None:
    kinds = {cls.exit_kind for cls in _exception_classes() if issubclass(cls, KpitoolError)}
    assert kinds <= {ExitKind.DATA, ExitKind.USAGE}
    assert ExitKind.DATA in kinds
