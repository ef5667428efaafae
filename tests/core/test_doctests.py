"""The examples in core's docstrings are run, so the documentation cannot drift from the code."""

import doctest
import importlib
import pkgutil

import pytest

import core

# Every module of core and of its sub-packages ("data.reading", "models.bundle", …).
MODULES = sorted(info.name[len("core."):] for info in pkgutil.walk_packages(core.__path__, "core.")
                 if not info.ispkg and not info.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(f"core.{name}"), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of core.{name} fail (run pytest --doctest-modules core/{name.replace('.', '/')}.py)"
