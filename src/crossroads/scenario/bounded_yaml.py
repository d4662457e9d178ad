"""A YAML loader for untrusted files: bounded aliases and depth, no duplicate keys, strict dates.

PyYAML's safe loaders construct only plain data, but they still

* let a few hundred bytes of anchors and aliases stand for billions of values (an
  "alias bomb": the document is a small graph, and whatever walks it as a tree -- pydantic,
  ``repr`` -- expands it);
* compose recursively, so a document nested a thousand levels deep raises ``RecursionError``;
* keep the last of two equal keys of a mapping, silently;
* raise a bare ``ValueError`` for an unquoted impossible date (``2015-13-45``) or an integer
  of more than 4,300 digits.

:func:`compose_and_construct` composes the node tree itself, iteratively, from the parser's
events (libyaml's when present), counting as it goes; every problem is a
:class:`YAMLLimitError` carrying a message and the node's mark. The limits are module
constants and are stated in docs/security.md, "Security and limits".
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_ALIASES",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "YAMLLimitError",
    "compose_and_construct",
    "node_path",
]

#: Most alias references (``*name``) one document may hold.
MAX_ALIASES = 10_000
#: Most values (nodes) the aliases of one document may stand for in all, each alias counted
#: as a full copy of what its anchor names.
MAX_ALIAS_NODES = 100_000
#: Most values (nodes: scalars, lists, mappings) of one document, aliases counted as copies.
#: A 5,000-actor scenario with one issue holds about 80,000.
MAX_NODES = 1_000_000
#: Deepest nesting of lists and mappings in one document.
MAX_DEPTH = 64
#: Most digits of an integer written in the file.
MAX_INT_DIGITS = 100


class YAMLLimitError(Exception):
    """A document breaks one of this module's rules; ``mark`` is where (0-based line)."""

    def __init__(self, message: str, mark: Any = None, node: Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark if mark is not None or node is None else node.start_mark
        self.node = node


class _BoundedComposer:
    """Composes one document from parser events without recursion, within the limits."""

    def get_single_node(self) -> Node | None:  # replaces yaml.composer.Composer's
        self._expect(StreamStartEvent)
        root = None
        if not self.check_event(StreamEndEvent):
            root = self._compose_document()
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                root.start_mark if root is not None else None,
                "but found another document",
                event.start_mark,
            )
        self.get_event()
        return root

    def _expect(self, kind: type) -> Any:
        event = self.get_event()
        if not isinstance(event, kind):  # pragma: no cover - the parser guarantees it
            raise yaml.composer.ComposerError(None, None, f"unexpected {event}", event.start_mark)
        return event

    def _compose_document(self) -> Node | None:
        self._expect(DocumentStartEvent)
        anchors: dict[str, Node] = {}
        sizes: dict[int, int] = {}  # id(node) -> values it stands for, aliases expanded
        # open collections: [node, values so far, pending mapping key]
        stack: list[list[Any]] = []
        aliases = alias_nodes = total = 0
        root: Node | None = None

        def attach(node: Node, size: int) -> None:
            nonlocal root
            if not stack:
                root = node
                return
            top = stack[-1]
            top[1] += size
            parent = top[0]
            if isinstance(parent, SequenceNode):
                parent.value.append(node)
            elif top[2] is None:
                top[2] = node
            else:
                parent.value.append((top[2], node))
                top[2] = None

        def register(anchor: str | None, node: Node, mark: Any) -> None:
            if anchor is None:
                return
            if anchor in anchors:
                raise yaml.composer.ComposerError(
                    f"found duplicate anchor {anchor!r}; first occurrence",
                    anchors[anchor].start_mark,
                    "second occurrence",
                    mark,
                )
            anchors[anchor] = node

        def count(n: int, mark: Any) -> None:
            nonlocal total
            total += n
            if total > MAX_NODES:
                raise YAMLLimitError(
                    f"the document holds more than {MAX_NODES:,} values (aliases counted as "
                    "copies); split it or leave out what no command reads",
                    mark,
                )

        while not self.check_event(DocumentEndEvent):
            event = self.get_event()
            if isinstance(event, AliasEvent):
                node = anchors.get(event.anchor)
                if node is None:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                if id(node) not in sizes:
                    raise YAMLLimitError(
                        f"alias *{_short_text(event.anchor)} refers to a list or mapping that "
                        "contains it (a recursive structure); a scenario is a tree",
                        event.start_mark,
                    )
                aliases += 1
                alias_nodes += sizes[id(node)]
                if aliases > MAX_ALIASES:
                    raise YAMLLimitError(
                        f"more than {MAX_ALIASES:,} aliases (*name) in one document",
                        event.start_mark,
                    )
                if alias_nodes > MAX_ALIAS_NODES:
                    raise YAMLLimitError(
                        f"the aliases (*name) up to here stand for more than "
                        f"{MAX_ALIAS_NODES:,} values; write the data out or use fewer aliases",
                        event.start_mark,
                    )
                count(sizes[id(node)], event.start_mark)
                attach(node, sizes[id(node)])
            elif isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.resolve(ScalarNode, event.value, event.implicit)
                node = ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style
                )
                register(event.anchor, node, event.start_mark)
                sizes[id(node)] = 1
                count(1, event.start_mark)
                attach(node, 1)
            elif isinstance(event, SequenceStartEvent | MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise YAMLLimitError(
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                        event.start_mark,
                    )
                seq = isinstance(event, SequenceStartEvent)
                cls = SequenceNode if seq else MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.resolve(cls, None, event.implicit)
                node = cls(
                    tag, [], event.start_mark, None, flow_style=event.flow_style
                )  # fmt: skip
                register(event.anchor, node, event.start_mark)
                count(1, event.start_mark)
                stack.append([node, 1, None])
            elif isinstance(event, SequenceEndEvent | MappingEndEvent):
                node, size, _ = stack.pop()
                node.end_mark = event.end_mark
                sizes[id(node)] = size
                attach(node, size)
        self.get_event()  # DocumentEndEvent
        return root


class _StrictConstructor(yaml.constructor.SafeConstructor):
    """Refuses duplicate keys, impossible dates and over-long integers, naming the node."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _value in node.value:
                if (
                    not isinstance(key_node, ScalarNode)
                    or key_node.tag == "tag:yaml.org,2002:merge"
                ):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the base class says so
                if first is not None:
                    raise YAMLLimitError(
                        f"duplicate key '{_short_text(key_node.value)}' (first at line "
                        f"{first.start_mark.line + 1}); each key may appear once in a mapping",
                        node=key_node,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as e:
            raise YAMLLimitError(
                f"'{_short_text(node.value)}' is not a calendar date ({e}); "
                "write dates as YYYY-MM-DD",
                node=node,
            ) from None

    def construct_yaml_int(self, node: Any) -> Any:
        text = str(node.value).lstrip("+-")
        if text[:2].lower() in ("0x", "0o", "0b"):
            text = text[2:]
        digits = sum(ch.isalnum() for ch in text)
        if digits > MAX_INT_DIGITS:
            raise YAMLLimitError(
                f"an integer of {digits:,} digits is too long (at most {MAX_INT_DIGITS})",
                node=node,
            )
        return super().construct_yaml_int(node)


_StrictConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _StrictConstructor.construct_yaml_timestamp
)
_StrictConstructor.add_constructor("tag:yaml.org,2002:int", _StrictConstructor.construct_yaml_int)


class _PyLoader(
    _BoundedComposer,
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    _StrictConstructor,
    yaml.resolver.Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _StrictConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FAST: type = _PyLoader
else:

    class _CLoader(_BoundedComposer, CParser, _StrictConstructor, yaml.resolver.Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _StrictConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FAST = _CLoader


def _parse(text: str, loader_class: type) -> tuple[Node | None, Any]:
    loader = loader_class(text)
    root = None
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except YAMLLimitError as e:
        e.root = root  # type: ignore[attr-defined]
        raise
    finally:
        loader.dispose()
    return root, data


def compose_and_construct(text: str) -> tuple[Node | None, Any]:
    """Parse one YAML document: its node tree (for line numbers) and its data.

    Raises
    ------
    YAMLLimitError
        for a document over a limit, a duplicate key, an impossible date or a huge integer;
        ``root`` on it is the node tree when composing finished (for :func:`node_path`).
    yaml.YAMLError
        for a document that is not YAML; the message is the pure-Python parser's, which
        explains more than libyaml's.
    """
    try:
        return _parse(text, _FAST)
    except YAMLLimitError:
        raise
    except yaml.YAMLError:
        if _FAST is _PyLoader:
            raise
        return _parse(text, _PyLoader)


def node_path(root: Node | None, target: Node) -> tuple[str | int, ...] | None:
    """The path of ``target`` in the tree ``root`` (keys and list indices), without recursion."""
    if root is None:
        return None
    todo: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    seen: set[int] = set()
    while todo:
        node, path = todo.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            todo.extend((child, path + (i,)) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if key is target:
                    return path + (str(key.value),)
                todo.append((value, path + (str(getattr(key, "value", "?")),)))
    return None


def _short_text(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
