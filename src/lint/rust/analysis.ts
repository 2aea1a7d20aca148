import type { Node } from "web-tree-sitter";

/** `tokio :: sync :: mpsc` and `mpsc::unbounded_channel::<T>` as plain `a::b::c` text, generics dropped. */
export function rustPathText(node: Node): string {
  return node.text.replace(/::<[^()]*>$/, "").replace(/\s+/g, "");
}

/** Local name → full path, from the file's `use` declarations (`use tokio::sync::{mpsc, Mutex as M};`). */
export function rustUseMap(root: Node): Map<string, string> {
  const map = new Map<string, string>();
  const visit = (node: Node, prefix: string) => {
    switch (node.type) {
      case "scoped_identifier":
      case "identifier":
      case "crate":
      case "self":
      case "super": {
        const full = prefix ? `${prefix}::${rustPathText(node)}` : rustPathText(node);
        const last = full.split("::").pop()!;
        if (last === "self") {
          const parent = full.split("::").slice(0, -1);
          map.set(parent[parent.length - 1]!, parent.join("::"));
        } else {
          map.set(last, full);
        }
        break;
      }
      case "use_as_clause": {
        const path = node.childForFieldName("path");
        const alias = node.childForFieldName("alias");
        if (path && alias) map.set(alias.text, prefix ? `${prefix}::${rustPathText(path)}` : rustPathText(path));
        break;
      }
      case "scoped_use_list": {
        const path = node.childForFieldName("path");
        const list = node.childForFieldName("list");
        const next = path ? (prefix ? `${prefix}::${rustPathText(path)}` : rustPathText(path)) : prefix;
        if (list) for (const child of list.namedChildren) if (child) visit(child, next);
        break;
      }
      case "use_list":
        for (const child of node.namedChildren) if (child) visit(child, prefix);
        break;
      default:
        break;
    }
  };
  for (const declaration of root.descendantsOfType("use_declaration")) {
    const argument = declaration?.childForFieldName("argument");
    if (argument) visit(argument, "");
  }
  return map;
}

/** Expands the first segment of a path through the file's `use` map: `mpsc::channel` → `tokio::sync::mpsc::channel`. */
export function resolveRustPath(path: string, uses: Map<string, string>): string {
  const [first, ...rest] = path.split("::");
  const expanded = first !== undefined ? uses.get(first) : undefined;
  return expanded ? [expanded, ...rest].join("::") : path;
}

/** The function a call expression calls: a path for `a::b(…)`, a method name for `x.m(…)`. */
export function rustCallee(call: Node): { path?: string; method?: string; receiver?: Node } {
  let fn = call.childForFieldName("function");
  if (!fn) return {};
  if (fn.type === "generic_function") fn = fn.childForFieldName("function") ?? fn;
  if (fn.type === "field_expression") {
    const field = fn.childForFieldName("field");
    return { method: field?.text, receiver: fn.childForFieldName("value") ?? undefined };
  }
  if (fn.type === "identifier" || fn.type === "scoped_identifier") return { path: rustPathText(fn) };
  return {};
}

/** True when the function or block is `async`. */
export function isRustAsync(node: Node): boolean {
  if (node.type === "async_block") return true;
  if (node.type === "function_item" || node.type === "closure_expression") {
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === "function_modifiers" && child.text.split(/\s+/).includes("async")) return true;
      if (child.type === "async") return true;
    }
  }
  return false;
}

/**
 * The nearest enclosing body that decides whether code runs on the async executor: an `async fn`,
 * an `async` block or closure (returned), or a plain `fn`/closure (undefined: not async context).
 */
export function enclosingRustAsync(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "async_block") return current;
    if (current.type === "function_item" || current.type === "closure_expression") {
      return isRustAsync(current) ? current : undefined;
    }
  }
  return undefined;
}

/** Ancestors up to (not including) `stop`, nearest first. */
export function* rustAncestors(node: Node, stop?: Node): Generator<Node> {
  for (let current = node.parent; current && !(stop && current.equals(stop)); current = current.parent) yield current;
}

/** Pre-order iteration over a subtree without recursion. */
export function* rustDescendants(root: Node): Generator<Node> {
  const cursor = root.walk();
  try {
    for (;;) {
      yield cursor.currentNode;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || cursor.currentNode.equals(root)) return;
      }
    }
  } finally {
    cursor.delete();
  }
}
