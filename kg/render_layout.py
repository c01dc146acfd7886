"""Node positions computed before the page opens, for graphs too big for in-browser physics.

Each connected component is laid out on its own (networkx ``spring_layout``
for small ones; for big ones the same Fruchterman-Reingold steps in numpy with
the all-pairs repulsion done in row blocks, so 5,000 nodes need neither scipy
nor a 5,000 x 5,000 matrix), scaled to its size and packed in rows, biggest
first. Deterministic for a given graph (fixed seed, sorted nodes).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

SPACING = 55.0   # pixels per sqrt(node) of a component's radius
SMALL = 400      # components below this size use networkx's own spring_layout
SEED = 7


def fruchterman_reingold(n: int, edges: np.ndarray, *, iterations: int = 50, seed: int = SEED,
                         block: int = 1024) -> np.ndarray:
    """Positions (n x 2, in [-1, 1]) for nodes 0..n-1 joined by ``edges`` (m x 2 int array)."""
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    if n < 2:
        return np.zeros((n, 2), dtype=np.float32)
    k = np.float32(1.0 / math.sqrt(n))
    t = 0.1
    dt = t / (iterations + 1)
    src, dst = (edges[:, 0], edges[:, 1]) if len(edges) else (np.empty(0, int), np.empty(0, int))
    for _ in range(iterations):
        pos -= pos.mean(axis=0)
        sq = np.einsum("ij,ij->i", pos, pos)
        disp = np.empty_like(pos)
        for lo in range(0, n, block):
            part = pos[lo:lo + block]
            # repulsion k^2/d along each pair: sum_j w_ij (p_i - p_j) with w_ij = k^2 / d_ij^2
            dist2 = sq[lo:lo + block, None] + sq[None, :] - 2 * (part @ pos.T)
            np.maximum(dist2, 1e-6, out=dist2)
            weight = np.divide(k * k, dist2, out=dist2)
            disp[lo:lo + block] = part * weight.sum(axis=1)[:, None] - weight @ pos
        if len(src):
            delta = pos[src] - pos[dst]
            dist = np.sqrt(np.einsum("ij,ij->i", delta, delta))
            pull = delta * (dist / k)[:, None]
            np.subtract.at(disp, src, pull)
            np.add.at(disp, dst, pull)
        length = np.sqrt(np.einsum("ij,ij->i", disp, disp))
        np.maximum(length, 0.01, out=length)
        pos += disp * (t / length)[:, None]
        t -= dt
    pos -= pos.mean(axis=0)
    extent = np.abs(pos).max() or 1.0
    return pos / extent


def _component(G: nx.Graph, nodes: list) -> dict:
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    sub = G.subgraph(nodes)
    if len(nodes) < SMALL:
        pos = nx.spring_layout(sub, seed=SEED, iterations=50)
        return {node: (float(pos[node][0]), float(pos[node][1])) for node in nodes}
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in sub.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    arr = fruchterman_reingold(len(nodes), edges, iterations=max(25, min(60, 100000 // len(nodes))))
    return {node: (float(arr[i, 0]), float(arr[i, 1])) for i, node in enumerate(nodes)}


def precomputed_layout(G: nx.Graph) -> dict:
    """Pixel positions ``{node: (x, y)}`` for every node of ``G`` (directed or multi graphs too)."""
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(U)),
                   key=lambda c: (-len(c), str(c[0])))
    total = sum(max(1.0, SPACING * math.sqrt(len(c))) ** 2 * 4 for c in comps)
    row_width = math.sqrt(total)
    out: dict = {}
    x = y = row_height = 0.0
    for comp in comps:
        radius = SPACING * math.sqrt(len(comp)) if len(comp) > 1 else SPACING / 2
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + radius, y + radius
        for node, (px, py) in _component(U, comp).items():
            out[node] = (round(cx + px * radius, 1), round(cy + py * radius, 1))
        x += 2 * radius
        row_height = max(row_height, 2 * radius)
    return out
