import { createRequire } from "node:module";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import { byPackage } from "../file-roles.js";
import { createReporter } from "../messages.js";
import { implementationOptions } from "../rule.js";
import { ListenerTable } from "../listeners.js";
import { timingByRule } from "../timing.js";
import { parseDirective } from "../suppressions.js";
import type { BackendFileResult, ConfiguredRule, Directive, InternalError, LanguageBackend, LintMessage } from "../types.js";
import { openRustItemMacros } from "./item-macros.js";
import type { RustReportDescriptor, RustRuleContext } from "./rule.js";

let parserPromise: Promise<Parser> | undefined;

/** One parser per process: loading the wasm runtime and grammar costs ~30 ms, parsing is cheap. */
function getParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve("tree-sitter-rust/tree-sitter-rust.wasm"));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses Rust source; exported for rules' tests and tools that need the tree. */
export async function parseRust(source: string): Promise<Tree> {
  const parser = await getParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** web-tree-sitter parses JS strings as UTF-16, so its columns are UTF-16 units like our other formats. */
function positionOf(node: Node) {
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
  };
}

/** The first syntax error in the tree, iteratively (no recursion on deep trees). */
function firstError(root: Node): Node | undefined {
  if (!root.hasError) return undefined;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.isError || node.isMissing) return node;
    if (!node.hasError) continue;
    const children = node.children;
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index];
      if (child) stack.push(child);
    }
  }
  return root;
}

function collectDirectives(root: Node, source: string): Directive[] {
  if (!source.includes("asyncpat-ignore-")) return [];
  const directives: Directive[] = [];
  for (const comment of root.descendantsOfType(["line_comment", "block_comment"])) {
    if (!comment) continue;
    const text = comment.text;
    if (!text.includes("asyncpat-ignore-")) continue;
    const directive = parseDirective(text, positionOf(comment));
    if (directive) directives.push(directive);
  }
  return directives;
}

function lintTree(
  program: RustRuleContext<unknown>["program"],
  filePath: string,
  source: string,
  root: Node,
  rules: readonly ConfiguredRule[],
  fileRules: readonly (ConfiguredRule | undefined)[],
  messages: LintMessage[],
  internalErrors: InternalError[],
  timing: number[] | undefined,
): void {
  const listeners = new ListenerTable<string, Node>(rules, filePath, internalErrors, timing);

  rules.forEach((runRule, ruleIndex) => {
    const configured = fileRules[ruleIndex];
    if (!configured) return;
    const implementation = runRule.rule.implementations.rust;
    if (!implementation) return;
    const rule = configured.rule;
    const reporter = createReporter(configured, implementation, messages);
    const context: RustRuleContext<unknown> = {
      ruleId: rule.id,
      options: implementationOptions(implementation, configured.options),
      filePath,
      source,
      root,
      program,
      report(descriptor: RustReportDescriptor) {
        reporter(descriptor, positionOf(descriptor.node));
      },
    };
    const ruleListeners = listeners.create(ruleIndex, () => implementation.create(context));
    if (!ruleListeners) return;
    for (const [key, fn] of Object.entries(ruleListeners)) {
      const isExit = key.endsWith(":exit");
      listeners.add(ruleIndex, isExit ? key.slice(0, -5) : key, isExit, fn);
    }
  });
  if (listeners.isEmpty) return;

  // One cursor walk for all rules, iterative: enter on the way down, exit on the way back up. The
  // cursor's type is read inside the parser; a Node object is built only for kinds a rule listens for.
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      const node = listeners.listensFor(type) ? cursor.currentNode : undefined;
      if (node) listeners.onEnter(type, node);
      if (cursor.gotoFirstChild()) continue;
      if (node) listeners.onExit(type, node);
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
        const parentType = cursor.nodeType;
        if (listeners.hasExit(parentType)) listeners.onExit(parentType, cursor.currentNode);
      }
    }
  } finally {
    cursor.delete();
  }
}

export const rustBackend: LanguageBackend = {
  language: "rust",
  extensions: [".rs"],
  async lint(files, rules, options) {
    const results: BackendFileResult[] = [];
    const internalErrors: InternalError[] = [];
    // Cross-file facts are per crate: a rule sees the files of the linted file's own crate.
    const programs = new Map<string, { files: typeof files }>();
    for (const [, crateFiles] of byPackage(files, (file) => file.path)) {
      const program = { files: crateFiles };
      for (const file of crateFiles) programs.set(file.path, program);
    }
    const timing = options.timing ? rules.map(() => 0) : undefined;
    for (const file of files) {
      // a context file (another thread's share) is there for the crate's facts, not to be linted here
      if (options.lintOnly && !options.lintOnly.has(file.path)) continue;
      const lines = file.text.split(/\r?\n/);
      const result: BackendFileResult = { filePath: file.path, source: file.text, lines: lines.length, messages: [], directives: [] };
      results.push(result);
      let tree: Tree;
      try {
        tree = await parseRust(file.text);
      } catch (error) {
        result.messages.push({
          ruleId: null,
          severity: 2,
          fatal: true,
          message: `Parsing error: ${error instanceof Error ? error.message : String(error)}`,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
        });
        continue;
      }
      try {
        const error = firstError(tree.rootNode);
        if (error) {
          const where = positionOf(error);
          const near = error.isMissing ? `missing ${error.type}` : `unexpected \`${error.text.split("\n")[0]!.slice(0, 40)}\``;
          result.messages.push({
            ruleId: null,
            severity: 2,
            fatal: true,
            message: `Parsing error: ${near}.`,
            ...where,
            endLine: where.line,
            endColumn: where.column,
          });
          continue;
        }
        result.directives = collectDirectives(tree.rootNode, file.text);
        // `cfg_rt! { … }` and kin hold items that rules must see; offsets stay the file's.
        const opened = openRustItemMacros(tree, file.text, await getParser());
        if (opened) {
          tree.delete();
          tree = opened.tree;
        }
        lintTree(
          programs.get(file.path)!,
          file.path,
          file.text,
          tree.rootNode,
          rules,
          options.rulesFor?.(file.path) ?? rules,
          result.messages,
          internalErrors,
          timing,
        );
      } finally {
        tree.delete();
      }
    }
    return { files: results, internalErrors, typeCheckerMs: 0, ruleMs: timingByRule(rules, timing) };
  },
};
