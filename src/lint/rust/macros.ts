import { Parser, type Node } from "web-tree-sitter";

/**
 * Stands for `$` in a parsed macro body: a one-unit identifier character, so `$guard` becomes the
 * identifier `µguard` and every position stays where it was.
 */
export const RUST_METAVARIABLE_SIGN = "µ";

const FUNCTION_HEAD = `async fn ${RUST_METAVARIABLE_SIGN}()`;

/**
 * The `macro_rules!` transcribers of `definition` that await something, parsed as the body of an
 * `async fn`: tree-sitter keeps a macro body as a flat token tree, so a guard taken and held across
 * awaits there (`let $c = &$self.cluster.read().await.0; … $call.await`) has no syntax until it is
 * parsed as code. The text parsed is the file blanked out (newlines kept) except the transcriber,
 * so rows, columns and offsets of the parsed nodes are those of the file: a node of it can be
 * reported as it is. `$name` is read as the identifier `µname`. Each tree lives only during `visit`.
 */
export function visitRustAsyncMacroBodies(definition: Node, source: string, visit: (body: Node) => void): void {
  if (definition.type !== "macro_definition") return;
  for (const rule of definition.namedChildren) {
    if (rule?.type !== "macro_rule") continue;
    const body = rule.childForFieldName("right") ?? rule.namedChildren[rule.namedChildren.length - 1];
    if (!body || body.type !== "token_tree" || !/\.\s*await\b/.test(body.text)) continue;
    if (body.startIndex < FUNCTION_HEAD.length) continue;
    const units = source.replace(/[^\r\n]/g, " ").split("");
    for (let index = 0; index < FUNCTION_HEAD.length; index++) units[index] = FUNCTION_HEAD[index]!;
    const text = body.text;
    for (let index = 0; index < text.length; index++) {
      const unit = text[index]!;
      units[body.startIndex + index] = unit === "$" ? RUST_METAVARIABLE_SIGN : unit;
    }
    // `=> ( … )` and `=> [ … ]` transcribers are blocks once expanded in statement position.
    units[body.startIndex] = "{";
    units[body.startIndex + text.length - 1] = "}";
    const parser = new Parser();
    parser.setLanguage(definition.tree.language);
    const tree = parser.parse(units.join(""));
    try {
      const block = tree?.rootNode.namedChildren.find((node) => node?.type === "function_item")?.childForFieldName("body");
      if (block) visit(block);
    } finally {
      tree?.delete();
      parser.delete();
    }
  }
}

/** Text of a parsed macro body as it is written in the macro: `µself.cluster` is `$self.cluster`. */
export function rustMacroText(text: string): string {
  return text.split(RUST_METAVARIABLE_SIGN).join("$");
}
