"""Re-exporting package ``__init__`` files run one name at a time, when the name is first used.

Importing any submodule runs its package's ``__init__`` first. Two of Powertools' packages re-export
everything they hold, so the API's cold start paid for what it never uses:

- ``aws_lambda_powertools.event_handler``: every resolver (AppSync, and with it asyncio; Bedrock
  agents; VPC Lattice; ...) to get at ``api_gateway``: ~30 ms, a fifth of ``import boto3``;
- ``aws_lambda_powertools.utilities.data_classes``: ~35 event classes, of which the HTTP resolver
  needs six.

An import hook (``install``, run when ``signals`` is imported) loads these packages without running
their ``__init__``: each ``from .x import A, B`` statement in it runs the first time ``A`` or ``B`` is
read from the package. What the package exports, and from where, is read from its own ``__init__``,
so a Powertools upgrade cannot make a name resolve differently. A package whose ``__init__`` holds
anything besides a docstring, ``from <its own submodule> import <names>`` statements and a literal
``__all__`` is loaded as usual (``tests/unit/test_deferred_inits.py`` compares every exported name
with the stock packages').
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
        if name == "_loader":  # not set yet (copy, pickle): no recursion through this method
            raise AttributeError(name)
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        found = _reexports(self._loader.get_source(module.__name__), module.__name__)
        if found is None:
            self._loader.exec_module(module)  # anything else in it: run it as written
            return
        _defer(module, *found)


def _reexports(
    source: str | None, package: str
) -> tuple[str | None, dict[str, _Statement], list[str]] | None:
    """The ``__init__``'s docstring, its re-exports (name -> statement) and ``__all__``; None
    unless that is all it has: ``from <a submodule> import <names>`` statements, a literal ``__all__``."""
    if source is None:
        return None
    doc, statements, exported = None, {}, None
    for node in ast.parse(source, filename=f"<{package}>").body:
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            doc = node.value.value
        elif isinstance(node, ast.ImportFrom) and node.module and all(a.name != "*" for a in node.names):
            statement = _Statement(node, _submodule(node, package))
            if statement.submodule is None:
                return None  # from another package: it would not be the package's own
            statements.update({alias.asname or alias.name: statement for alias in node.names})
        elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            try:
                exported = [str(name) for name in ast.literal_eval(node.value)]
            except (ValueError, TypeError, SyntaxError):
                return None
        else:  # ``from . import x``, a star import, any other statement
            return None
    # ``from pkg import *`` needs ``__all__`` to list the names not bound yet
    return (doc, statements, exported) if exported is not None else None


class _Statement:
    """One ``from <submodule> import ...`` of the ``__init__`` and the submodule it imports from."""

    def __init__(self, node: ast.ImportFrom, submodule: str | None) -> None:
        self.node, self.submodule = node, submodule
        self.names = [alias.asname or alias.name for alias in node.names]


def _submodule(node: ast.ImportFrom, package: str) -> str | None:
    """The package's direct submodule a statement imports from (``.x.y`` and ``pkg.x.y``: ``x``)."""
    if node.level:
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        target = f"{base}.{node.module}"
    else:
        target = str(node.module)
    if not target.startswith(package + "."):
        return None
    return target[len(package) + 1 :].split(".")[0]


def _defer(
    module: ModuleType, doc: str | None, statements: dict[str, _Statement], exported: list[str]
) -> None:
    pending = dict(statements)
    from_submodule = {s.submodule: s for s in reversed(statements.values())}  # the first per submodule
    filename = module.__spec__.origin if module.__spec__ else module.__name__

    def run(statement: _Statement) -> None:
        # Bound first, forgotten after: a thread that finds a name no longer pending finds it bound.
        # No lock of our own: two threads may both run one statement, and the import system makes
        # them wait for, and bind, the same module (a lock held across an import could deadlock
        # against a module lock another thread holds)
        code = compile(ast.Module(body=[statement.node], type_ignores=[]), filename, "exec")
        exec(code, module.__dict__)  # noqa: S102
        for name in statement.names:
            pending.pop(name, None)

    def __getattr__(attr: str) -> Any:
        # a re-exported name, or a submodule the __init__ imports from (``pkg.appsync`` is there
        # after ``import pkg`` when the __init__ runs, so it is here too)
        statement = pending.get(attr)
        if statement is None and f"{module.__name__}.{attr}" not in sys.modules:  # (mid-import: as usual)
            statement = from_submodule.get(attr)
        if statement is not None:
            run(statement)
        try:
            return module.__dict__[attr]
        except KeyError:  # another submodule (the import system then loads it) or no such name
            raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r}") from None

    def __dir__() -> list[str]:
        return sorted({*module.__dict__, *pending, *from_submodule})

    module.__doc__ = doc
    module.__all__ = exported
    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    # A name that is also a submodule's name (``from .event_source import event_source``) is bound
    # now: importing that submodule later would otherwise set the attribute to the module
    for name, statement in statements.items():
        if name in from_submodule and name in pending:
            run(statement)


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
