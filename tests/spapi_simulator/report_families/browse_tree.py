"""The browse tree report (GET_XML_BROWSE_TREE_DATA): a marketplace's category nodes as XML."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tests.spapi_simulator.rendering import XML_CONTENT_TYPE, Document, Marketplace, format_bool

from .vocabulary import VOCAB


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    context: str
    path_ids: tuple[str, ...]
    path_names: tuple[str, ...]
    children: tuple[str, ...]
    product_types: str | None


def browse_tree(rng: random.Random, m: Marketplace, rows: int) -> list[Node]:
    """About `rows` nodes in depth-first order: a few roots, each node with 2 to 5 children."""
    if rows <= 0:
        return []
    v = VOCAB[m.family]
    ids: list[str] = []
    seen: set[str] = set()
    parent_of: dict[int, int | None] = {}
    names: list[str] = []
    kids: dict[int, list[int]] = {}

    def new(name: str, parent: int | None) -> int:
        while True:
            node_id = str(rng.randint(10**5, 10**10))
            if node_id not in seen:
                break
        seen.add(node_id)
        ids.append(node_id)
        names.append(name)
        parent_of[len(ids) - 1] = parent
        kids[len(ids) - 1] = []
        if parent is not None:
            kids[parent].append(len(ids) - 1)
        return len(ids) - 1

    for name in v.roots[: max(1, min(len(v.roots), rows // 10))]:
        new(name, None)
    queue = list(range(len(ids)))
    while queue and len(ids) < rows:
        parent = queue.pop(0)
        for _ in range(rng.randint(2, 5)):
            if len(ids) >= rows:
                break
            queue.append(new(rng.choice(v.categories), parent))

    def path(i: int) -> list[int]:
        p: list[int] = []
        cur: int | None = i
        while cur is not None:
            p.append(cur)
            cur = parent_of[cur]
        return p[::-1]

    order: list[int] = []
    stack = [i for i in range(len(ids)) if parent_of[i] is None][::-1]
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(kids[i]))
    nodes = []
    for i in order:
        p = path(i)
        leaf = not kids[i]
        nodes.append(
            Node(
                ids[i],
                names[i],
                names[p[0]],
                tuple(ids[j] for j in p),
                tuple(names[j] for j in p),
                tuple(ids[c] for c in kids[i]),
                rng.choice(("KITCHEN", "DRINKING_CUP", "HOME", None)) if leaf else None,
            )
        )
    return nodes


def select_nodes(nodes: list[Node], options: dict[str, str]) -> list[Node]:
    if options.get("RootNodesOnly", "").lower() == "true":
        return [n for n in nodes if len(n.path_ids) == 1]
    wanted = options.get("BrowseNodeId")
    if wanted:
        return [n for n in nodes if wanted in n.path_ids]
    return nodes


def node_xml(n: Node) -> str:
    kids = "".join(f"<id>{c}</id>" for c in n.children)
    kind = "leaf" if not n.children else "category"
    return (
        "<Node>"
        f"<browseNodeId>{n.id}</browseNodeId>"
        f'<browseNodeAttributes count="1"><attribute name="nodeType">{kind}</attribute></browseNodeAttributes>'
        f"<browseNodeName>{escape(n.name)}</browseNodeName>"
        f"<browseNodeStoreContextName>{escape(n.context)}</browseNodeStoreContextName>"
        f"<browsePathById>{','.join(n.path_ids)}</browsePathById>"
        f"<browsePathByName>{escape(','.join(n.path_names))}</browsePathByName>"
        f"<hasChildren>{format_bool(bool(n.children))}</hasChildren>"
        f"<childNodes count={quoteattr(str(len(n.children)))}>{kids}</childNodes>"
        f"<productTypeDefinitions>{escape(n.product_types or '')}</productTypeDefinitions>"
        '<refinementsInformation count="0"/>'
        "</Node>"
    )


def node_record(n: Node) -> dict[str, Any]:
    return {
        "browse_node_id": n.id,
        "browse_node_name": n.name,
        "browse_node_store_context_name": n.context,
        "browse_path_by_id": ",".join(n.path_ids),
        "browse_path_by_name": ",".join(n.path_names),
        "has_children": bool(n.children),
        "child_nodes": list(n.children),
        "product_type_definitions": n.product_types,
    }


def browse_tree_document(nodes: list[Node]) -> Document:
    text = "\n".join(
        ['<?xml version="1.0" encoding="UTF-8"?>', "<Result>", *(node_xml(n) for n in nodes), "</Result>", ""]
    )
    return Document(text.encode("utf-8"), XML_CONTENT_TYPE)
