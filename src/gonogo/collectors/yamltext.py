"""YAML read as nodes (so every value keeps its line), with ``<<`` merge keys applied safely.

Aliases let a small file describe a huge tree: ten merges of ten merges of ... expand
exponentially when each merge is computed again wherever it is used, and a mapping may even merge
itself. So a mapping's merged items are computed once per node and remembered, a merge that
includes itself is an error, and the total work of merging a file is capped. Every failure is a
``YamlShapeError`` whose message says what is wrong, for an error naming the file.
"""

from __future__ import annotations

import yaml

MAX_MERGED_ITEMS = 1_000_000
"""Key-value pairs merging may produce in one file; real compose files produce a few hundred."""


class YamlShapeError(Exception):
    """A YAML file that parses but cannot be read as a configuration (a merge loop, a bomb)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class MergedMappings:
    """A mapping node's (key, value) pairs with ``<<`` merges applied (explicit keys win), once
    per node: one instance per file, so every alias of a merged mapping costs one lookup."""

    def __init__(self, budget: int = MAX_MERGED_ITEMS) -> None:
        self._done: dict[int, list[tuple[str, yaml.Node]]] = {}
        self._active: set[int] = set()
        self._budget = budget

    def items(self, node: yaml.Node) -> list[tuple[str, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            return []
        known = self._done.get(id(node))
        if known is not None:
            return known
        if id(node) in self._active:
            line = node.start_mark.line + 1
            raise YamlShapeError(f"a '<<' merge at line {line} includes the mapping itself", line)
        self._active.add(id(node))
        try:
            result = self._merge(node)
        finally:
            self._active.discard(id(node))
        self._done[id(node)] = result
        return result

    def get(self, node: yaml.Node, name: str) -> yaml.Node | None:
        return next((value for key, value in self.items(node) if key == name), None)

    def _merge(self, node: yaml.MappingNode) -> list[tuple[str, yaml.Node]]:
        own: dict[str, yaml.Node] = {}
        merged: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value == "<<":
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    for k, v in self.items(source):
                        merged.setdefault(k, v)
                    self._spend(len(merged))
            elif isinstance(key, yaml.ScalarNode):
                own[str(key.value)] = value
        self._spend(len(own))
        return list({**merged, **own}.items())

    def _spend(self, count: int) -> None:
        self._budget -= count
        if self._budget < 0:
            raise YamlShapeError(f"'<<' merges expand to more than {MAX_MERGED_ITEMS:,} keys")


def compose_documents(text: str) -> list[yaml.Node]:
    """The documents of a YAML stream as node trees; ``yaml.YAMLError`` or ``YamlShapeError``."""
    try:
        return [d for d in yaml.compose_all(text, Loader=yaml.SafeLoader) if d is not None]
    except RecursionError as exc:
        raise YamlShapeError("nested too deeply to parse") from exc
