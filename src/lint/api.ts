/**
 * The rule API: everything a rule file in `rules/` may import. Rules never reach into the engine's
 * internals; shared analysis (import recognition, scopes, function kinds, acquire/release spans)
 * is exported from here so that no two rules carry their own copy of it.
 */
import { ts } from "ts-morph";
import type { RustListeners, RustRuleContext } from "./rust/api.js";

export { ts };
export * from "./analysis/imports.js";
export * from "./analysis/nodes.js";
export * from "./analysis/scope.js";
export * from "./analysis/functions.js";
export * from "./analysis/resources.js";
export * from "./analysis/promises.js";
export * from "./analysis/callbacks.js";
export * from "./analysis/options.js";
export type { RustListeners, RustRuleContext, RustNode } from "./rust/api.js";

export type RuleSeverity = "error" | "warn";
export type SeveritySetting = "off" | RuleSeverity;
export type Language = "typescript" | "rust";

export type RuleCategory =
  | "channels"
  | "timeouts"
  | "locks"
  | "resources"
  | "blocking"
  | "tasks"
  | "shutdown";

export interface RuleExamples {
  /** Snippets the rule must report (each at least once). Checked by test/rules/examples.test.ts. */
  incorrect: string[];
  /** Snippets the rule must stay quiet on. */
  correct: string[];
}

/** The subset of JSON Schema used for rule options; every property carries a description. */
export interface OptionSchema {
  description: string;
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  enum?: readonly (string | number | boolean)[];
  items?: OptionSchema | Omit<OptionSchema, "description">;
  properties?: Record<string, OptionSchema>;
  required?: readonly string[];
  additionalProperties?: boolean;
  minimum?: number;
  default?: unknown;
}

export interface RuleOptionsMeta<Options> {
  /** One schema per option key. */
  properties: { [K in keyof Options]-?: OptionSchema };
  defaults: Options;
}

export interface RuleMeta<Options> {
  /** One line: what the rule finds. */
  description: string;
  /** Why it is a problem: the cost in production (deadlock, OOM, hang, lost request). */
  why: string;
  /** What to do instead. Shown as the `help:` line of every report unless the report brings its own. */
  instead: string;
  category: RuleCategory;
  /** Severity in the `asyncpat:recommended` preset (`asyncpat:strict` makes every rule an error). */
  severity: RuleSeverity;
  /** True when the rule cannot work at all without the type checker. Most rules use it only to confirm. */
  needsTypes: boolean;
  /** Message ids and their text; `{{name}}` is replaced by `data.name` of the report. */
  messages: Record<string, string>;
  options?: RuleOptionsMeta<Options>;
  examples: RuleExamples;
  /** Documented false positives and negatives, shown in the rule's doc page. */
  knownLimits?: string[];
  /** The Tokio pattern this rule carries over (a heading or API of the reference), for the docs. */
  tokio?: string;
}

export interface ReportDescriptor {
  node: ts.Node;
  messageId: string;
  data?: Record<string, string | number>;
  /** Overrides the rule's `instead` text for this report. */
  help?: string;
}

/** A file of the run, as other rules may look at it (cross-file rules). */
export interface ProgramFile {
  path: string;
  sourceFile: ts.SourceFile;
}

export interface ProgramView {
  /** Every file of this run that parsed. */
  readonly files: readonly ProgramFile[];
  getFile(absolutePath: string): ProgramFile | undefined;
  /** Resolves a relative import specifier (`./x.js`, `../y`) to a file of this run. */
  resolveImport(fromFile: string, specifier: string): ProgramFile | undefined;
  /** A value computed once per run and rule (e.g. an index over all files) and shared across files. */
  memo<T>(key: string, compute: () => T): T;
}

export interface RuleContext<Options> {
  readonly ruleId: string;
  readonly options: Options;
  readonly filePath: string;
  readonly sourceFile: ts.SourceFile;
  readonly program: ProgramView;
  report(descriptor: ReportDescriptor): void;
  /**
   * The type checker when type information is available (the first call builds the program over the
   * whole run, so ask only when syntax cannot decide); undefined with `--no-types`.
   */
  getTypeChecker(): ts.TypeChecker | undefined;
}

/** Node kinds a listener can name, with the node type it receives. Extend as rules need more. */
export interface ListenerNodes {
  SourceFile: ts.SourceFile;
  CallExpression: ts.CallExpression;
  NewExpression: ts.NewExpression;
  AwaitExpression: ts.AwaitExpression;
  Identifier: ts.Identifier;
  PropertyAccessExpression: ts.PropertyAccessExpression;
  ElementAccessExpression: ts.ElementAccessExpression;
  FunctionDeclaration: ts.FunctionDeclaration;
  FunctionExpression: ts.FunctionExpression;
  ArrowFunction: ts.ArrowFunction;
  MethodDeclaration: ts.MethodDeclaration;
  Constructor: ts.ConstructorDeclaration;
  ClassDeclaration: ts.ClassDeclaration;
  ClassExpression: ts.ClassExpression;
  VariableDeclaration: ts.VariableDeclaration;
  ExpressionStatement: ts.ExpressionStatement;
  ReturnStatement: ts.ReturnStatement;
  TryStatement: ts.TryStatement;
  ForOfStatement: ts.ForOfStatement;
  ForInStatement: ts.ForInStatement;
  ForStatement: ts.ForStatement;
  WhileStatement: ts.WhileStatement;
  DoStatement: ts.DoStatement;
  Block: ts.Block;
  BinaryExpression: ts.BinaryExpression;
  ImportDeclaration: ts.ImportDeclaration;
  PropertyDeclaration: ts.PropertyDeclaration;
  VoidExpression: ts.VoidExpression;
  ThrowStatement: ts.ThrowStatement;
}

export type ListenerKey = keyof ListenerNodes | `${keyof ListenerNodes}:exit`;

export type Listeners = {
  [K in keyof ListenerNodes]?: (node: ListenerNodes[K]) => void;
} & {
  [K in keyof ListenerNodes as `${K}:exit`]?: (node: ListenerNodes[K]) => void;
};

/** The Rust backend of a rule: same id, config and suppressions, a tree-sitter walk. */
export interface RustImplementation<Options> {
  /** Message ids used only by the Rust backend (merged with `meta.messages`). */
  messages?: Record<string, string>;
  examples: RuleExamples;
  knownLimits?: string[];
  create(context: RustRuleContext<Options>): RustListeners;
}

export interface Rule<Options = Record<string, never>> {
  /** kebab-case; equal to the file name in `rules/`, the test file and the doc page. */
  id: string;
  meta: RuleMeta<Options>;
  /** The TypeScript/JavaScript backend: called once per file, returns the node kinds it listens to. */
  create(context: RuleContext<Options>): Listeners;
  rust?: RustImplementation<Options>;
}

// Rules are stored in heterogeneous lists; their options type is erased there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;

export function defineRule<Options = Record<string, never>>(rule: Rule<Options>): Rule<Options> {
  return rule;
}

export function languagesOf(rule: AnyRule): Language[] {
  return rule.rust ? ["typescript", "rust"] : ["typescript"];
}
export * from "./rust/analysis.js";
