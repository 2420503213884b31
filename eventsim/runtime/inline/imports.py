"""Importing a function's code: private packages and the ``__import__`` hook.

Each import of a function's code gets a private package (``_eventsim_fn<n>_<name>``)
whose ``__path__`` is the code directory, so two functions may both have an ``app.py``, a
``utils.py`` or a ``handlers/`` package without seeing each other's. ``builtins.__import__``
is wrapped (once per process): an absolute import made by a module of such a package (the
``import`` statement passes the importer's globals) of a top-level name of its code directory
(``import utils``, ``from handlers import common``) is mapped into that package; other names
(the standard library, the simulator's site-packages) and other importers go straight on. Two
exceptions: a top-level name that is only a namespace directory loses to a real package of
that name, as it would on ``sys.path``; and a package holding compiled extensions is imported
under its real name, shared by every function (most extensions cannot be loaded twice in one
process). Code that bypasses ``__import__`` (``importlib.import_module("utils")``) does not see
the code directory, and ``mock.patch("app.x")`` cannot find the handler's module by its plain
name. Nothing is added to ``sys.path``, and the working directory stays the simulator's (on
Lambda it is the code directory).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import itertools
import logging
import os
import re
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Literal

__all__ = ["Scope", "install_import_hooks"]

LOG = logging.getLogger(__name__)

_SCOPE_PREFIX = "_eventsim_fn"
_scope_numbers = itertools.count(1)
_SCOPES: dict[str, Scope] = {}
"""Private package name → the scope it belongs to."""
_SHARED_DIRS: dict[str, str] = {}
"""Top-level name of a compiled package → the code directory it is imported from."""
_delegate_import = builtins.__import__
"""The ``__import__`` that `_scoped_import` hands everything to (the one found at install)."""
_import_hook_installed = False
_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)

_Kind = Literal["scoped", "shared", "outside"]


def _top_level_names(code_dir: str) -> dict[str, str]:
    """What each importable name in ``code_dir`` is, by FileFinder's precedence."""
    rank = {"package": 0, "compiled": 1, "module": 2, "namespace": 3}
    found: dict[str, str] = {}

    def note(name: str, what: str) -> None:
        if name.isidentifier() and (name not in found or rank[what] < rank[found[name]]):
            found[name] = what

    try:
        entries = list(os.scandir(code_dir))
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            init = os.path.join(entry.path, "__init__")
            is_package = os.path.isfile(init + ".py") or os.path.isfile(init + ".pyc")
            note(name, "package" if is_package else "namespace")
        elif name.endswith(_EXTENSION_SUFFIXES):
            note(next(name[: -len(s)] for s in _EXTENSION_SUFFIXES if name.endswith(s)), "compiled")
        elif name.endswith(".py"):
            note(name[:-3], "module")
        elif name.endswith(".pyc"):
            note(name[:-4], "module")
    return found


def _has_extensions(directory: str) -> bool:
    for _, _, files in os.walk(directory):
        if any(f.endswith(_EXTENSION_SUFFIXES) for f in files):
            return True
    return False


class Scope:
    """One import of a function's code directory, under a private package name.

    ``layer_paths``: where the function's layers hold code (`layers.search_paths`), searched
    after the code directory, as Lambda puts ``/opt/python`` on ``sys.path`` after
    ``/var/task``: their modules are the function's own too, under the same package."""

    def __init__(self, function_name: str, code_dir: str,
                 layer_paths: Sequence[str] = ()) -> None:
        safe = re.sub(r"\W", "_", function_name)[:40]
        self.prefix = f"{_SCOPE_PREFIX}{next(_scope_numbers)}_{safe}"
        self.code_dir = code_dir
        self._dirs = [code_dir, *layer_paths]
        self._names: dict[str, str] = {}
        self._where: dict[str, str] = {}
        """The directory each top-level name is found in (the first that has it)."""
        for directory in self._dirs:
            for name, what in _top_level_names(directory).items():
                if name not in self._names:
                    self._names[name], self._where[name] = what, directory
        self._kinds: dict[str, _Kind] = {}
        spec = importlib.machinery.ModuleSpec(self.prefix, None, is_package=True)
        spec.submodule_search_locations = list(self._dirs)
        package = importlib.util.module_from_spec(spec)
        package.__doc__ = f"eventsim: the modules of {code_dir} for function {function_name}"
        _SCOPES[self.prefix] = self
        sys.modules[self.prefix] = package

    def kind(self, top: str) -> _Kind:
        """How a top-level name imported by this code is resolved."""
        kind = self._kinds.get(top)
        if kind is not None:
            return kind
        what = self._names.get(top)
        directory = self._where.get(top, self.code_dir)
        path = os.path.join(directory, top)
        if what is None:
            kind = "outside"
        elif what == "compiled" or (what != "module" and _has_extensions(path)):
            kind = "shared"
            _SHARED_DIRS.setdefault(top, directory)
        elif what == "namespace":
            spec = importlib.util.find_spec(top)
            kind = "outside" if spec is not None and spec.origin is not None else "scoped"
        else:
            kind = "scoped"
        self._kinds[top] = kind
        return kind

    def import_(
        self,
        name: str,
        globals: Mapping[str, object] | None,
        locals: Mapping[str, object] | None,
        fromlist: Sequence[str] | None,
    ) -> types.ModuleType:
        """``__import__`` of an absolute name by a module of this scope."""
        top = name.partition(".")[0]
        if self.kind(top) != "scoped":
            return _delegate_import(name, globals, locals, fromlist, 0)
        module = _delegate_import(f"{self.prefix}.{name}", globals, locals, fromlist, 0)
        if fromlist:
            return module
        return sys.modules[f"{self.prefix}.{top}"]

    def import_module(self, dotted: str) -> types.ModuleType:
        """Import a module of this code (``handlers.thumbnail``) and return it."""
        if self.kind(dotted.partition(".")[0]) == "scoped":
            return importlib.import_module(f"{self.prefix}.{dotted}")
        return importlib.import_module(dotted)

    def unscope(self, text: str) -> str:
        """``text`` with the private package name taken out of module names."""
        return text.replace(f"{self.prefix}.", "")

    def discard(self) -> None:
        """Forget the modules of this scope (they live on while something references them)."""
        _SCOPES.pop(self.prefix, None)
        for name in list(sys.modules):
            if name == self.prefix or name.startswith(f"{self.prefix}."):
                sys.modules.pop(name, None)


def _scoped_import(
    name: str,
    globals: Mapping[str, object] | None = None,
    locals: Mapping[str, object] | None = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> types.ModuleType:
    """``builtins.__import__`` once the runtime is installed: an absolute import made by a
    module of a scope (its globals are passed by the ``import`` statement) goes through that
    scope; everything else goes straight on."""
    if level == 0 and globals is not None:
        importer = globals.get("__name__")
        if isinstance(importer, str) and importer.startswith(_SCOPE_PREFIX):
            scope = _SCOPES.get(importer.partition(".")[0])
            if scope is not None:
                return scope.import_(name, globals, locals, fromlist)
    return _delegate_import(name, globals, locals, fromlist, level)


class _SharedFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: a compiled package of a code directory that nothing on
    ``sys.path`` provides is imported from that directory, under its own name."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        directory = _SHARED_DIRS.get(fullname) if path is None else None
        if directory is None:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [directory], target)


_SHARED_FINDER = _SharedFinder()


def install_import_hooks() -> None:
    """Wrap ``builtins.__import__`` (once per process) and add the finder of shared compiled
    packages to ``sys.meta_path`` (again if someone removed it); idempotent."""
    global _delegate_import, _import_hook_installed
    if not _import_hook_installed:
        # Once per process and never undone: a later wrapper of ours must keep working.
        _import_hook_installed = True
        _delegate_import = builtins.__import__
        builtins.__import__ = _scoped_import
    if _SHARED_FINDER not in sys.meta_path:
        sys.meta_path.append(_SHARED_FINDER)
