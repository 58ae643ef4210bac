#!/usr/bin/env python3
"""Architecture check of src/: include cycles between modules, layer order,
private headers, includes of files that do not exist.

A module is a .c/.h pair with the same base name, named folder/base
(src/engine/metrics.c and .h are engine/metrics). Module m depends on n when a
file of m includes a header of n. A file in layer folder F may include headers
of F or of a lower layer (LAYERS at the top of this script), and the public
headers of the include folder from anywhere. A header named *_internal.h or
*_impl.h is private to its folder: only files of that folder may include it,
and it counts as part of each file that does (its includes are theirs), so
network.c -> net_internal.h -> network.h is no cycle.

Every problem is printed, then a summary line, and the exit status is 1; when
clean, only the summary line. Run from the top of the source tree (make lint).
"""
import argparse
import os
import re
import sys
from collections import Counter, deque

# The layers of src/, one folder each, lowest first.
LAYERS = [
    "core",  # rng, mem, error, small utilities
    "scenario",  # parameters, YAML
    "world",  # population, network, per-agent state: what a checkpoint holds
    "model",  # behaviour, surveillance, scoring, sanctions: the rules, phases of the day step
    "engine",  # what can be rebuilt from the world: kept contact counts, the day step, metrics
    "io",  # SQLite/CSV output, HTML report, results folders
    "run",  # the driver: struct sim, sim_create/sim_run; options, outputs, progress, timings
    "experiment",  # sweeps and comparisons: child processes
    "cli",  # the command line
]
RANK = {name: i for i, name in enumerate(LAYERS)}
PRIVATE = ("_internal.h", "_impl.h")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def sources(src):
    """Every .c/.h under src, as paths relative to it ('core/rng.c'), sorted."""
    found = []
    for top, _, files in os.walk(src):
        found += [os.path.relpath(os.path.join(top, f), src).replace(os.sep, "/")
                  for f in files if f.endswith((".c", ".h"))]
    return sorted(found)


def module(rel):
    return os.path.splitext(rel)[0]


def layer(rel):
    """The layer of a path relative to src, None when not in a layer folder."""
    top = rel.split("/")[0]
    return top if "/" in rel and top in RANK else None


def folder(rel):
    return os.path.dirname(rel) or "."


def plural(kind):
    """'include of a higher layer' -> 'includes of a higher layer'"""
    first, _, rest = kind.partition(" ")
    return f"{first}s {rest}".rstrip()


def tarjan(graph):
    """Strongly connected components of graph {node: set of nodes}, iteratively."""
    index, low, on_stack, stack, sccs = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(graph[root])))]
        while work:
            v, edges = work[-1]
            for w in edges:
                if w not in index:  # descend into w; v's other edges later
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:  # every edge of v seen: v is done
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    scc = []
                    while not scc or scc[-1] != v:
                        scc.append(stack.pop())
                        on_stack.discard(scc[-1])
                    sccs.append(sorted(scc))
    return sccs


def shortest_cycle(start, members, graph):
    """A shortest cycle start -> ... -> start inside members, as a list of nodes."""
    prev, queue = {}, deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(graph[v] & members):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return path[::-1] + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    raise AssertionError("no cycle through " + start)


def scan(src, include, files):
    """Each file's includes of src/ headers [(line, "name", header relative to
    src)], and the problems of single include lines [(kind, message)]."""
    includes, problems = {}, []
    for rel in files:
        path, here = os.path.join(src, rel), layer(rel)
        includes[rel] = []
        if here is None:
            problems.append(("file outside the layer folders",
                             f"{path}: not in a layer folder ({', '.join(LAYERS)})"))
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().split("\n")
        for num, line in enumerate(text, 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            quote, name = match.groups()
            at, target = f"{path}:{num}", name
            if not os.path.isfile(os.path.join(src, name)):
                if quote == "<" or os.path.isfile(os.path.join(include, name)):
                    continue  # a system header, or a public one (allowed anywhere)
                # The compiler finds it next to the including file: a real
                # edge, but written otherwise than from src/.
                near = os.path.normpath(os.path.join(os.path.dirname(rel), name)).replace(os.sep, "/")
                if near.startswith("..") or not os.path.isfile(os.path.join(src, near)):
                    problems.append(("header not found",
                                     f'{at}: "{name}": no such file in {src}/ or {include}/'))
                    continue
                problems.append(("include not from src/", f'{at}: "{name}" must be written "{near}"'))
                target = near
            includes[rel].append((num, name, target))
            there = layer(target)
            if here and there and RANK[there] > RANK[here]:
                problems.append(("include of a higher layer",
                                 f"{at}: {here} includes {target} ({there} is above {here})"))
            if target.endswith(PRIVATE) and folder(target) != folder(rel):
                problems.append(("header private to another folder",
                                 f"{at}: {folder(rel)} includes {target} (private to {folder(target)}/)"))
    return includes, problems


def module_graph(src, files, includes):
    """{module: modules it depends on}, {(m, n): the include making the edge},
    and the edges into private headers {(m, header's module)}."""
    graph, where, private = {module(f): set() for f in files}, {}, set()
    for rel in files:
        m, todo, seen = module(rel), [(rel, "")], {rel}
        while todo:  # rel's includes, and those of the private headers it includes
            file, via = todo.pop()
            for num, name, target in includes[file]:
                n, at = module(target), f"{os.path.join(src, file)}:{num}"
                if target.endswith(PRIVATE):
                    private.add((m, n))
                    if target not in seen:
                        seen.add(target)
                        todo.append((target, via or at))
                elif m != n:
                    graph[m].add(n)
                    graph.setdefault(n, set())  # a target not a .c/.h (a .inc file)
                    how = f"(through {at}: " if via else "("
                    where.setdefault((m, n), f'{via or at}: {m} -> {n} {how}#include "{name}")')
    return graph, where, private


def write_dot(path, graph, red, dashed):
    """The module graph, a cluster per layer; red: upward or in a cycle;
    dashed: into a private header."""
    out = ["digraph includes {", '  node [shape=box, fontname="Helvetica"];']
    for name in LAYERS + [None]:
        members = sorted(m for m in graph if layer(m) == name)
        if members and name:
            out.append(f'  subgraph "cluster_{name}" {{ label="{name}"; rank=same;')
        out += [f'    "{m}";' for m in members]
        if members and name:
            out.append("  }")
    for m in sorted(graph):
        out += [f'  "{m}" -> "{n}"' + (" [color=red];" if (m, n) in red else ";") for n in sorted(graph[m])]
    out += [f'  "{m}" -> "{n}" [style=dashed];' for m, n in sorted(dashed) if m != n]
    with open(path, "w") as f:
        f.write("\n".join(out + ["}"]) + "\n")


def main():
    summary, details = __doc__.split("\n\n", 1)
    ap = argparse.ArgumentParser(description=summary, epilog=details,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", nargs="?", default="src", help="source root, a folder per layer (default: src)")
    ap.add_argument("include", nargs="?", default="include", help="public headers (default: include)")
    ap.add_argument("--dot", metavar="FILE", help="write the module graph (Graphviz dot) to FILE")
    args = ap.parse_args()
    if not os.path.isdir(args.src):
        ap.error(f"{args.src}: not a directory")

    files = sources(args.src)
    includes, problems = scan(args.src, args.include, files)
    graph, where, private = module_graph(args.src, files, includes)
    red = {(module(f), module(t)) for f in files for _, _, t in includes[f]
           if layer(f) and layer(t) and RANK[layer(t)] > RANK[layer(f)]}
    for scc in (c for c in tarjan(graph) if len(c) > 1):
        path = shortest_cycle(scc[0], set(scc), graph)
        problems.append(("cycle", "\n".join([f"cycle of {len(scc)} modules: {', '.join(scc)}; for example:"] +
                                            ["  " + where[edge] for edge in zip(path, path[1:])])))
        red |= {(m, n) for m in scc for n in graph[m] & set(scc)}
    if args.dot:
        write_dot(args.dot, graph, red, private)

    head = f"check-includes: {len(files)} files, {len({module(f) for f in files})} modules"
    if not problems:
        print(f"{head}, no cycles, layers in order")
        return 0
    for _, message in problems:
        print(message)
    counts = Counter(kind for kind, _ in problems)  # in the order first found
    print(f"{head}: " + ", ".join(f"{n} {kind if n == 1 else plural(kind)}" for kind, n in counts.items()))
    return 1


if __name__ == "__main__":
    sys.exit(main())
