"""What the site search finds besides pages: other apps register a source when they load.

`site/` imports nothing above it, so an app such as `lottery` tells the search here how
to find its public things (`search_source_register` in its `AppConfig.ready`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchSource:
    """`search(query=..., limit=...)` returns public objects, best first; `template`
    renders one of them as `item` in the results."""

    key: str
    heading: Any
    search: Callable[..., Sequence[Any]]
    template: str
    order: int = 100


_sources: dict[str, SearchSource] = {}


def search_source_register(source: SearchSource) -> None:
    _sources[source.key] = source


def search_sources() -> list[SearchSource]:
    return sorted(_sources.values(), key=lambda source: (source.order, source.key))
