"""A small name → factory registry (timm-style), used for models, datasets and protocols."""
from __future__ import annotations

import difflib
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


def _origin(obj) -> str:
    target = getattr(obj, "build", obj)          # a dataset spec wraps its builder
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(target).__name__)}"


def _same_definition(old, new) -> bool:
    """The same function or class defined again (module and qualified name agree); other
    objects only when equal."""
    a, b = getattr(old, "build", old), getattr(new, "build", new)
    if hasattr(a, "__qualname__") and hasattr(b, "__qualname__"):
        return _origin(old) == _origin(new)
    return old == new


class Registry(Generic[T]):
    """Maps lower-case names to factories.

    >>> reg = Registry("colour")
    >>> @reg.register("red")
    ... def make_red(): return "#f00"
    >>> reg.get("red")()
    '#f00'
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, replace: bool = False) -> Callable[[T], T]:
        """Register under ``name``. Registering the same definition again (a notebook cell run
        twice: same module and qualified name) replaces it; a different one under a taken
        name needs ``replace=True``."""
        key = name.lower()

        def decorator(obj: T) -> T:
            if key in self._items and not replace and not _same_definition(self._items[key], obj):
                raise ValueError(f"{self.kind} {name!r} is already registered (by "
                                 f"{_origin(self._items[key])}); pass replace=True to replace it")
            self._items[key] = obj
            return obj

        return decorator

    def unregister(self, name: str) -> T:
        """Remove ``name`` (e.g. a model a test or a notebook registered for a while)."""
        key = str(name).lower()
        if key not in self._items:
            raise KeyError(f"{self.kind} {name!r} is not registered")
        return self._items.pop(key)

    def get(self, name: str) -> T:
        key = str(name).lower()
        if key not in self._items:
            close = difflib.get_close_matches(key, self._items, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise KeyError(
                f"unknown {self.kind} {name!r}.{hint} Known: {', '.join(sorted(self._items))}"
            )
        return self._items[key]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
