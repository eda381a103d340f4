/** The order of a dependency graph, and its cycles if it has any. */
export interface GraphOrder {
  /** dependencies first; ties broken by id so the order is the same on every run */
  readonly order: readonly string[];
  /** one cycle per strongly connected part, each starting at its smallest id: a → b → … (→ a) */
  readonly cycles: readonly (readonly string[])[];
}

/**
 * Orders `ids` so every node comes after the nodes it depends on (`deps`: id → ids it reads;
 * ids outside `ids` are ignored). Nodes caught in or behind a cycle go last, by id.
 */
export function orderGraph(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): GraphOrder {
  const known = new Set(ids);
  const depsOf = (id: string) => [...new Set(deps.get(id) ?? [])].filter((d) => known.has(d)).sort();
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const waiting = new Map<string, number>();
  for (const id of ids) {
    const own = depsOf(id);
    waiting.set(id, own.length);
    for (const dep of own) dependents.get(dep)!.push(id);
  }
  const ready = ids.filter((id) => waiting.get(id) === 0).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const dependent of dependents.get(id)!) {
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) insertSorted(ready, dependent);
    }
  }
  if (order.length === ids.length) return { order, cycles: [] };
  const done = new Set(order);
  const rest = ids.filter((id) => !done.has(id)).sort();
  return { order: [...order, ...rest], cycles: findCycles(rest, depsOf) };
}

function insertSorted(list: string[], item: string): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > item) i -= 1;
  list.splice(i, 0, item);
}

/** Tarjan's strongly connected components over the nodes Kahn's algorithm could not order. */
function findCycles(nodes: readonly string[], depsOf: (id: string) => string[]): string[][] {
  const inRest = new Set(nodes);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (id: string): void => {
    index.set(id, index.size);
    low.set(id, index.get(id)!);
    stack.push(id);
    onStack.add(id);
    for (const dep of depsOf(id).filter((d) => inRest.has(d))) {
      if (!index.has(dep)) {
        visit(dep);
        low.set(id, Math.min(low.get(id)!, low.get(dep)!));
      } else if (onStack.has(dep)) {
        low.set(id, Math.min(low.get(id)!, index.get(dep)!));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component);
    }
  };
  for (const id of nodes) if (!index.has(id)) visit(id);
  return components
    .filter((c) => c.length > 1 || depsOf(c[0]!).includes(c[0]!))
    .map((c) => shortestCycle(c.sort()[0]!, new Set(c), depsOf))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** The shortest path start → … → start inside one component (breadth first, deps by id). */
function shortestCycle(start: string, component: ReadonlySet<string>, depsOf: (id: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const dep of depsOf(id).filter((d) => component.has(d))) {
      if (dep === start) {
        const path = [id];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(dep)) {
        previous.set(dep, id);
        queue.push(dep);
      }
    }
  }
  return [start];
}
