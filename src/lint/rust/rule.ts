/**
 * The Rust implementation of a rule: a web-tree-sitter (tree-sitter-rust) cursor walk that calls the
 * listeners a rule returns from `create`, once per file.
 */
import type { Node } from "web-tree-sitter";
import type { ImplementationMeta } from "../rule-meta.js";
import type { Fix, Suggestion } from "../edits.js";

/** A node of the tree-sitter-rust syntax tree. */
export type RustNode = Node;

export interface RustReportDescriptor {
  node: RustNode;
  messageId: string;
  data?: Record<string, string | number>;
  help?: string;
  /** An edit `--fix` may apply (offsets in UTF-16 code units of `source`). Needs `fixable` in the meta. */
  fix?: Fix;
  /** Edits offered, never applied by `--fix`. Needs `hasSuggestions` in the meta. */
  suggest?: Suggestion[];
}

export interface RustRuleContext<Options> {
  readonly ruleId: string;
  readonly options: Options;
  readonly filePath: string;
  readonly source: string;
  readonly root: RustNode;
  /** Every Rust file of this run, as text, for rules that look across files (a shutdown path in main.rs). */
  readonly program: { readonly files: readonly { path: string; text: string }[] };
  report(descriptor: RustReportDescriptor): void;
}

/**
 * Listeners keyed by tree-sitter node type (`call_expression`, `await_expression`, `function_item`,
 * …), and `<type>:exit` after a node's children were visited.
 */
export type RustListeners = Record<string, (node: RustNode) => void>;

export interface RustRule<Options = Record<string, never>> extends ImplementationMeta<Options> {
  create(context: RustRuleContext<Options>): RustListeners;
}

export function defineRustRule<Options = Record<string, never>>(implementation: RustRule<Options>): RustRule<Options> {
  return implementation;
}
