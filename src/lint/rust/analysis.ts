import type { Node } from "web-tree-sitter";

/** `tokio :: sync :: mpsc` and `mpsc::unbounded_channel::<T>` as plain `a::b::c` text, generics dropped. */
export function rustPathText(node: Node): string {
  return node.text.replace(/::<[^()]*>$/, "").replace(/\s+/g, "");
}

const USE_MAPS = new WeakMap<Node, ReadonlyMap<string, string>>();

/**
 * Local name → full path, from the file's `use` declarations (`use tokio::sync::{mpsc, Mutex as M};`).
 * Every rule asks for the same root's map, so it is built once per file.
 */
export function rustUseMap(root: Node): ReadonlyMap<string, string> {
  let map = USE_MAPS.get(root);
  if (!map) USE_MAPS.set(root, (map = buildUseMap(root)));
  return map;
}

function buildUseMap(root: Node): Map<string, string> {
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
export function resolveRustPath(path: string, uses: ReadonlyMap<string, string>): string {
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

/** The `#[…]` attributes written just before an item (`#[tokio::test]`, `#[cfg(test)]`). */
export function rustAttributes(item: Node): Node[] {
  const attributes: Node[] = [];
  for (let sibling = item.previousNamedSibling; sibling; sibling = sibling.previousNamedSibling) {
    if (sibling.type === "attribute_item") attributes.push(sibling);
    else if (sibling.type !== "line_comment" && sibling.type !== "block_comment") break;
  }
  return attributes;
}

/** True inside a `#[test]`/`#[tokio::test]` function or a `#[cfg(test)]` module. */
export function isRustTestCode(node: Node): boolean {
  for (let current: Node | null = node; current; current = current.parent) {
    if (current.type !== "function_item" && current.type !== "mod_item") continue;
    for (const attribute of rustAttributes(current)) {
      const text = attribute.text.replace(/\s+/g, "");
      if (current.type === "mod_item" ? text === "#[cfg(test)]" : /^#\[([\w:]+::)?test(\(.*\))?\]$/.test(text)) return true;
    }
  }
  return false;
}

/** The identifiers a pattern binds (`x`, `mut x`, `(a, b)`, `Ok(g)`, `S { a, b: c }`), not its paths. */
export function rustPatternNames(pattern: Node): Node[] {
  if (pattern.type === "identifier") return [pattern];
  const names: Node[] = [];
  for (const node of rustDescendants(pattern)) {
    if (node.type !== "identifier" && node.type !== "shorthand_field_identifier") continue;
    const parent = node.parent;
    if (!parent) continue;
    // `Ok` in `Ok(g)`, `Some` in `Some(x)`, paths in struct patterns.
    if (parent.type === "tuple_struct_pattern" && parent.childForFieldName("type")?.equals(node)) continue;
    if (parent.type === "scoped_identifier") continue;
    names.push(node);
  }
  return names;
}

export type RustBinding =
  | { kind: "let"; declaration: Node; pattern: Node; name: Node; value?: Node; type?: Node }
  | { kind: "parameter"; declaration: Node; name: Node; type?: Node }
  | { kind: "pattern"; declaration: Node; name: Node; value?: Node };

/**
 * The binding of `name` that `at` sees: the nearest earlier `let` of an enclosing block, a pattern of
 * an enclosing `if let`/`while let`/`for`/match arm, or a parameter of the enclosing function or
 * closures. Syntax only: no type inference, no macros.
 */
export function findRustBinding(at: Node, name: string): RustBinding | undefined {
  let child: Node = at;
  for (let current = at.parent; current; child = current, current = current.parent) {
    switch (current.type) {
      case "block": {
        const statements = current.namedChildren;
        for (let index = statements.length - 1; index >= 0; index--) {
          const statement = statements[index];
          if (!statement || statement.startIndex >= child.startIndex) continue;
          if (statement.type !== "let_declaration") continue;
          const pattern = statement.childForFieldName("pattern");
          const bound = pattern && rustPatternNames(pattern).find((node) => node.text === name);
          if (pattern && bound) {
            return {
              kind: "let",
              declaration: statement,
              pattern,
              name: bound,
              value: statement.childForFieldName("value") ?? undefined,
              type: statement.childForFieldName("type") ?? undefined,
            };
          }
        }
        break;
      }
      case "if_expression":
      case "while_expression": {
        const condition = current.childForFieldName("condition");
        if (!condition || condition.equals(child)) break;
        for (const node of rustDescendants(condition)) {
          if (node.type !== "let_condition") continue;
          const pattern = node.childForFieldName("pattern");
          const bound = pattern && rustPatternNames(pattern).find((candidate) => candidate.text === name);
          if (bound) return { kind: "pattern", declaration: node, name: bound, value: node.childForFieldName("value") ?? undefined };
        }
        break;
      }
      case "for_expression": {
        const pattern = current.childForFieldName("pattern");
        const bound = pattern && !pattern.equals(child) && rustPatternNames(pattern).find((node) => node.text === name);
        if (bound) return { kind: "pattern", declaration: current, name: bound, value: current.childForFieldName("value") ?? undefined };
        break;
      }
      case "match_arm": {
        const pattern = current.childForFieldName("pattern");
        const bound = pattern && !pattern.equals(child) && rustPatternNames(pattern).find((node) => node.text === name);
        const match = current.parent?.parent;
        if (bound) return { kind: "pattern", declaration: current, name: bound, value: match?.childForFieldName("value") ?? undefined };
        break;
      }
      case "closure_expression":
      case "function_item": {
        const parameters = current.childForFieldName("parameters");
        for (const parameter of parameters?.namedChildren ?? []) {
          if (!parameter) continue;
          const pattern = parameter.type === "parameter" ? parameter.childForFieldName("pattern") : parameter;
          const bound = pattern && rustPatternNames(pattern).find((node) => node.text === name);
          if (bound)
            return { kind: "parameter", declaration: parameter, name: bound, type: parameter.childForFieldName("type") ?? undefined };
        }
        if (current.type === "function_item") return undefined;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** The types declared for a struct field of this name anywhere in the file (`stream: TcpStream`). */
export function rustFieldTypes(root: Node, field: string): Node[] {
  const types: Node[] = [];
  for (const declaration of root.descendantsOfType("field_declaration")) {
    if (declaration?.childForFieldName("name")?.text !== field) continue;
    const type = declaration.childForFieldName("type");
    if (type) types.push(type);
  }
  return types;
}

/** `x`, `(x)`, `&x`, `&mut x`, `*x` → `x`. */
export function rustStripReferences(node: Node): Node {
  let current = node;
  for (;;) {
    if (
      current.type === "parenthesized_expression" ||
      current.type === "reference_expression" ||
      (current.type === "unary_expression" && current.text.startsWith("*"))
    ) {
      const inner = current.type === "reference_expression" ? current.childForFieldName("value") : current.namedChildren[0];
      if (!inner) return current;
      current = inner;
      continue;
    }
    return current;
  }
}

/** `AsyncReadExt`/`AsyncWriteExt`/`AsyncBufReadExt` methods that wait on a stream's peer (reads, writes, flushes). */
export const RUST_STREAM_IO_METHODS: ReadonlySet<string> = new Set([
  "read",
  "read_exact",
  "read_line",
  "read_until",
  "read_to_end",
  "read_to_string",
  "read_buf",
  "write",
  "write_all",
  "write_buf",
  "write_all_buf",
  "flush",
]);
