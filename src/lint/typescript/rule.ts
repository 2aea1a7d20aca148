/**
 * The TypeScript/JavaScript implementation of a rule: a ts-morph (TypeScript compiler) walk that
 * calls the listeners a rule returns from `create`, once per file.
 */
import type { ts } from "ts-morph";
import type { ImplementationMeta } from "../rule-meta.js";
import type { Fix, Suggestion } from "../edits.js";

export interface ReportDescriptor {
  node: ts.Node;
  messageId: string;
  data?: Record<string, string | number>;
  /** Overrides the rule's `instead` text for this report. */
  help?: string;
  /** An edit `--fix` may apply: keeps behaviour apart from the anti-pattern and keeps the file compiling. Needs `fixable` in the meta. */
  fix?: Fix;
  /** Edits offered, never applied by `--fix`. Needs `hasSuggestions` in the meta. */
  suggest?: Suggestion[];
}

/** A file of the run, as other rules may look at it (cross-file rules). */
export interface ProgramFile {
  path: string;
  /** The file's text: search it before reading `sourceFile`, which may parse the file on first read. */
  text: string;
  sourceFile: ts.SourceFile;
}

export interface ProgramView {
  /** Every file of this run that parsed (of the linted file's package). */
  readonly files: readonly ProgramFile[];
  /**
   * The files of `files` whose text contains `pattern` (a non-global RegExp or a plain string):
   * cheaper than `files` for a fact only a file naming some word can hold, since a `--concurrency`
   * thread parses another thread's files only when a rule reads them.
   */
  filesContaining(pattern: string | RegExp): readonly ProgramFile[];
  getFile(absolutePath: string): ProgramFile | undefined;
  /** Resolves a relative import specifier (`./x.js`, `../y`) to a file of this run. */
  resolveImport(fromFile: string, specifier: string): ProgramFile | undefined;
  /** A value computed once per run and rule (e.g. an index over all files) and shared across files. */
  memo<T>(key: string, compute: () => T): T;
  /**
   * A fact that spans the package, as one summary per file (by path; files that did not parse are
   * absent). Prefer it to reading `files`: with `--cache` a file's summary is computed once per
   * content and kept, and a cached result stays valid while the summaries it used are unchanged, so
   * an edit elsewhere does not re-lint the package. `summarise` must read only the file it is given
   * (it may resolve that file's imports) and return a JSON value; `key` names everything else it
   * depends on (options, say). With `containing`, only files whose text holds that string or matches
   * that (non-global) RegExp are summarised; the others are not parsed for it.
   */
  facts<T>(key: string, summarise: (file: ProgramFile) => T, containing?: string | RegExp): ReadonlyMap<string, T>;
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

export interface TypeScriptRule<Options = Record<string, never>> extends ImplementationMeta<Options> {
  /** True when the implementation cannot work at all without the type checker. Most use it only to confirm. */
  needsTypes: boolean;
  /** Called once per file; returns the node kinds it listens to. */
  create(context: RuleContext<Options>): Listeners;
}

export function defineTypeScriptRule<Options = Record<string, never>>(implementation: TypeScriptRule<Options>): TypeScriptRule<Options> {
  return implementation;
}
