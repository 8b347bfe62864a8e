"""A small name → factory registry (timm-style), used for models, datasets and protocols."""
from __future__ import annotations

import difflib
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


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

    def register(self, name: str) -> Callable[[T], T]:
        key = name.lower()

        def decorator(obj: T) -> T:
            if key in self._items:
                raise ValueError(f"{self.kind} {name!r} is already registered")
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
