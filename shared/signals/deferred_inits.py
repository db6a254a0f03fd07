"""Re-exporting package ``__init__`` files run one name at a time, when the name is first used.

Importing any submodule runs its package's ``__init__`` first. Two of Powertools' packages re-export
everything they hold, so the API's cold start paid for what it never uses:

- ``aws_lambda_powertools.event_handler``: every resolver (AppSync, and with it asyncio; Bedrock
  agents; VPC Lattice; ...) to get at ``api_gateway``: ~30 ms of a ~230 ms ``import boto3``;
- ``aws_lambda_powertools.utilities.data_classes``: ~35 event classes, of which the HTTP resolver
  needs six.

An import hook (``install``, run when ``signals`` is imported) loads these packages without running
their ``__init__``: each ``from .x import A, B`` statement in it runs the first time ``A`` or ``B`` is
read from the package. What the package exports, and from where, is read from its own ``__init__``,
so a Powertools upgrade cannot make a name resolve differently. A package whose ``__init__`` does
anything besides a docstring, ``from ... import ...`` and ``__all__`` is loaded as usual.
"""

from __future__ import annotations

import ast
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

#: Packages whose ``__init__`` is deferred (the API's cold start; see the module docstring).
PACKAGES = frozenset({"aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes"})


class _DeferredInitLoader:  # a loader by protocol: importlib.abc costs the other handlers ~7 ms
    """Sets the package up from its ``__init__``'s import statements without running them."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_source, resource readers: the path loader's own
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        body = _reexports(self._loader.get_source(module.__name__), module.__name__)
        if body is None:
            self._loader.exec_module(module)  # anything else in it: run it as written
            return
        _defer(module, *body)


def _reexports(
    source: str | None, name: str
) -> tuple[str | None, list[ast.ImportFrom], list[str] | None] | None:
    """The ``__init__``'s docstring, import statements and ``__all__``; None unless that is all it has."""
    if source is None:
        return None
    doc, statements, exported = None, [], None
    for node in ast.parse(source, filename=f"<{name}>").body:
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            doc = node.value.value
        elif isinstance(node, ast.ImportFrom) and all(alias.name != "*" for alias in node.names):
            statements.append(node)
        elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            exported = list(ast.literal_eval(node.value))
        else:
            return None
    return doc, statements, exported


def _defer(
    module: ModuleType, doc: str | None, statements: list[ast.ImportFrom], exported: list[str] | None
) -> None:
    pending = {alias.asname or alias.name: node for node in statements for alias in node.names}
    filename = module.__spec__.origin if module.__spec__ else module.__name__

    def run(node: ast.ImportFrom) -> None:
        # Bound first, forgotten after: a thread that finds a name no longer pending finds it bound.
        # No lock of our own: two threads may both run one statement, and the import system makes
        # them wait for, and bind, the same module (a lock held across an import could deadlock
        # against a module lock another thread holds)
        exec(compile(ast.Module(body=[node], type_ignores=[]), filename, "exec"), module.__dict__)  # noqa: S102
        for alias in node.names:
            pending.pop(alias.asname or alias.name, None)

    def __getattr__(attr: str) -> Any:
        node = pending.get(attr)
        if node is not None:
            run(node)
        try:
            return module.__dict__[attr]
        except KeyError:  # a submodule (the import system then loads it) or no such name
            raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r}") from None

    def __dir__() -> list[str]:
        return sorted({*module.__dict__, *pending})

    module.__doc__ = doc
    if exported is not None:
        module.__all__ = exported
    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    # A name that is also its submodule's name (``from .event_source import event_source``) is bound
    # now: importing the submodule later would otherwise set the attribute to the module
    for node in statements:
        submodule = (node.module or "").split(".")[0] if node.level else None
        if any((alias.asname or alias.name) == submodule for alias in node.names):
            run(node)


class _DeferredInitFinder:  # a meta path finder by protocol
    """Finds these packages as the path finder does, then loads them with a deferring loader."""

    def __init__(self, packages: frozenset[str]) -> None:
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Any, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "get_source"):
            return spec
        spec.loader = _DeferredInitLoader(spec.loader)
        return spec


_FINDER = _DeferredInitFinder(PACKAGES)


def install() -> None:
    """Defer the ``PACKAGES``' ``__init__`` from now on (once; a package already imported stays as is)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
