import { Edit, type Node, type Parser, type Point, type Tree } from "web-tree-sitter";

/** Where a macro invocation stands for items: at the top of a file or module, or inside an `impl`/`trait`. */
const ITEM_PARENTS = new Set(["source_file", "declaration_list"]);
/** What a plain-items body is made of once parsed on its own. */
const ITEM_KINDS = new Set([
  "attribute_item",
  "inner_attribute_item",
  "line_comment",
  "block_comment",
  "function_item",
  "function_signature_item",
  "impl_item",
  "trait_item",
  "struct_item",
  "enum_item",
  "union_item",
  "type_item",
  "const_item",
  "static_item",
  "mod_item",
  "use_declaration",
  "extern_crate_declaration",
  "foreign_mod_item",
  "macro_definition",
  "macro_invocation",
  "associated_type",
]);
/** Nested item macros (`cfg_rt! { cfg_net! { … } }`) are opened one level per round. */
const MAX_ROUNDS = 4;

interface ItemMacro {
  /** The `name! {` head, [start, end). */
  head: [number, number];
  /** The closing `}`. */
  close: number;
  /** Where the head starts and ends, and where the closing brace starts, as points. */
  points: [Point, Point, Point];
}

/**
 * Macro invocations in item position with a `{ … }` body: candidates to hold plain Rust items
 * (`cfg_rt! { pub fn … }`, `cfg_net! { impl TcpStream { … } }`, the way tokio gates most of its code
 * by feature). Function bodies are not entered: a macro there is an expression or statement.
 */
function itemMacros(root: Node, text: string): ItemMacro[] {
  const found: ItemMacro[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === "declaration_list" || child.type === "mod_item" || child.type === "impl_item" || child.type === "trait_item") {
        stack.push(child);
        continue;
      }
      if (child.type !== "macro_invocation" || !ITEM_PARENTS.has(node.type)) continue;
      const body = child.lastNamedChild;
      if (body?.type !== "token_tree" || text[body.startIndex] !== "{" || text[body.endIndex - 1] !== "}") continue;
      if (!/\S/.test(text.slice(body.startIndex + 1, body.endIndex - 1))) continue;
      const open = body.startPosition;
      const end = body.endPosition;
      found.push({
        head: [child.startIndex, body.startIndex + 1],
        close: body.endIndex - 1,
        points: [child.startPosition, { row: open.row, column: open.column + 1 }, { row: end.row, column: end.column - 1 }],
      });
    }
  }
  return found.sort((a, b) => a.head[0] - b.head[0]);
}

/** Whether the tree parsed with `macros` opened reads each of their bodies as items, and nothing else. */
function bodiesAreItems(root: Node, macros: readonly ItemMacro[]): boolean {
  if (root.hasError) return false;
  const childrenOf = new Map<number, Node[]>();
  return macros.every((macro) => {
    let parent = root.descendantForIndex(macro.head[1], macro.close);
    while (parent && !ITEM_PARENTS.has(parent.type)) parent = parent.parent;
    if (!parent) return false;
    let children = childrenOf.get(parent.id);
    if (!children) childrenOf.set(parent.id, (children = parent.namedChildren.filter((node): node is Node => !!node)));
    const items = children.filter((node) => node.startIndex >= macro.head[1] && node.endIndex <= macro.close);
    return items.length > 0 && items.every((node) => ITEM_KINDS.has(node.type));
  });
}

function holdsPlainItems(text: string, parser: Parser): boolean {
  const tree = parser.parse(text);
  try {
    const root = tree?.rootNode;
    if (!root || root.hasError) return false;
    const items = root.namedChildren.filter((node): node is Node => !!node);
    return items.length > 0 && items.every((node) => ITEM_KINDS.has(node.type));
  } finally {
    tree?.delete();
  }
}

/** `text` with each macro's head and closing brace turned to spaces, newlines kept. `macros` are in source order and disjoint. */
function blanked(text: string, macros: readonly ItemMacro[]): string {
  const parts: string[] = [];
  let at = 0;
  const blank = (from: number, to: number) => {
    parts.push(text.slice(at, from), text.slice(from, to).replace(/[^\r\n]/g, " "));
    at = to;
  };
  for (const macro of macros) {
    blank(macro.head[0], macro.head[1]);
    blank(macro.close, macro.close + 1);
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/**
 * A copy of `tree` told that the macros' heads and braces were rewritten in place (same length, same
 * rows), so the next parse reuses every subtree outside them.
 */
function editedCopy(tree: Tree, macros: readonly ItemMacro[]): Tree {
  const copy = tree.copy();
  for (const { head, close, points } of macros) {
    copy.edit(
      new Edit({
        startIndex: head[0],
        oldEndIndex: head[1],
        newEndIndex: head[1],
        startPosition: points[0],
        oldEndPosition: points[1],
        newEndPosition: points[1],
      }),
    );
    const after = { row: points[2].row, column: points[2].column + 1 };
    copy.edit(
      new Edit({
        startIndex: close,
        oldEndIndex: close + 1,
        newEndIndex: close + 1,
        startPosition: points[2],
        oldEndPosition: after,
        newEndPosition: after,
      }),
    );
  }
  return copy;
}

/**
 * The source with item-position macros whose bodies are plain items opened: their `name! {` and `}`
 * blanked (newlines kept), so every offset, row and column stays the file's and a node of the new
 * tree can be reported as it is. Undefined when there is nothing to open. Tree-sitter otherwise keeps
 * such a body as a flat token tree, and every rule would miss the code inside. A body that is not
 * plain items (`cfg_if! { if #[cfg(…)] … }`, a DSL) stays a token tree. All candidates are tried in
 * one parse; only when that fails is each body parsed alone to find the ones to keep.
 */
export function openRustItemMacros(tree: Tree, source: string, parser: Parser): { source: string; tree: Tree } | undefined {
  let current = tree;
  let text = source;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let macros = itemMacros(current.rootNode, text);
    if (macros.length === 0) break;
    let openedText = blanked(text, macros);
    const previous = editedCopy(current, macros);
    let opened = parser.parse(openedText, previous);
    previous.delete();
    if (opened && !bodiesAreItems(opened.rootNode, macros)) {
      opened.delete();
      macros = macros.filter((macro) => holdsPlainItems(text.slice(macro.head[1], macro.close), parser));
      openedText = blanked(text, macros);
      opened = macros.length > 0 ? parser.parse(openedText) : null;
      if (opened?.rootNode.hasError) {
        opened.delete();
        opened = null;
      }
    }
    if (!opened) break;
    if (current !== tree) current.delete();
    current = opened;
    text = openedText;
  }
  return current === tree ? undefined : { source: text, tree: current };
}
