/**
 * What every rule declares, whatever its language: the shapes of its language-neutral meta and of
 * the parts each language implementation carries (messages, advice, options, examples, limits).
 * A leaf module: the rule types of both languages build on it.
 */
export type RuleSeverity = "error" | "warn";
export type SeveritySetting = "off" | RuleSeverity;
export type Language = "typescript" | "rust";

export type RuleCategory = "channels" | "timeouts" | "locks" | "resources" | "blocking" | "tasks" | "shutdown";

export interface RuleExamples {
  /** Snippets the implementation must report (each at least once). Checked by test/rules/examples.test.ts. */
  incorrect: string[];
  /** Snippets the implementation must stay quiet on, with every rule on. */
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

/** The language-neutral part of a rule: what it finds and why it matters, in any language. */
export interface RuleMeta {
  /** One line: what the rule finds. */
  description: string;
  /** Why it is a problem: the cost in production (deadlock, OOM, hang, lost request). */
  why: string;
  category: RuleCategory;
  /** Severity in the `asyncpat:recommended` preset (`asyncpat:strict` makes every rule an error). */
  severity: RuleSeverity;
  /** The Tokio pattern this rule carries over (a heading or API of the reference), for the docs. */
  tokio?: string;
}

/** What one language's implementation of a rule declares besides its `create`. */
export interface ImplementationMeta<Options> {
  /** What to do instead, in this language. Shown as the `help:` line of every report unless the report brings its own. */
  instead: string;
  /** Message ids and their text; `{{name}}` is replaced by `data.name` of the report. */
  messages: Record<string, string>;
  /** The options this implementation reads; a rule's config schema is the union over its languages. */
  options?: RuleOptionsMeta<Options>;
  examples: RuleExamples;
  /** Documented false positives and negatives, shown in the rule's doc page. */
  knownLimits?: string[];
  /** Some reports carry a fix `--fix` applies (ESLint's `meta.fixable`): a report with a fix from a rule without it is an internal error. */
  fixable?: "code";
  /** Some reports offer suggestions (ESLint's `meta.hasSuggestions`). */
  hasSuggestions?: boolean;
}
