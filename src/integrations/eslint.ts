/**
 * `asyncpat/eslint`: asyncpat's TypeScript/JavaScript rules as an ESLint 9 flat-config plugin.
 *
 * ESLint's syntax tree comes from the user's parser (typescript-eslint on the user's TypeScript, or
 * espree), asyncpat's rules walk the tree of the TypeScript that ts-morph bundles, and syntax kinds
 * differ between TypeScript versions. So no node crosses over: at the end of each file the plugin
 * hands the file's text to asyncpat's own engine, in a thread of its own (ESLint rules are
 * synchronous, the engine is not), and reports what comes back by line and column. The engine runs
 * once per file for every asyncpat rule ESLint has on there; each rule reports its own findings.
 */
import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { ESLint, Linter, Rule as ESLintRule, SourceCode } from "eslint";
import { allRules } from "../../rules/index.js";
import { presetSeverity, ruleOptionsSchema } from "../lint/config.js";
import { ruleDocsUrl } from "../lint/docs-url.js";
import type { Rule } from "../lint/rule.js";
import { version } from "../version.js";
import type { EngineFinding, EngineRequest, EngineResponse, EngineWorkerData } from "./eslint-protocol.js";

export interface AsyncpatEslintPlugin {
  meta: { name: string; version: string };
  /** Every asyncpat rule with a TypeScript/JavaScript implementation, by its asyncpat id. */
  rules: Record<string, ESLintRule.RuleModule>;
  configs: {
    /** The rules that work file by file, at the severities of asyncpat's recommended preset. */
    recommended: Linter.Config;
    /** The same rules, all errors. */
    strict: Linter.Config;
  };
}

/**
 * Rules whose answer depends on files other than the one being linted (is SIGTERM handled in the
 * entry module?). ESLint hands a plugin one file at a time, so in ESLint they would report what
 * another file already handles; the presets leave them out and `asyncpat lint` checks them.
 */
export const WHOLE_PROGRAM_RULES: ReadonlySet<string> = new Set(["missing-graceful-shutdown"]);

/** File kinds asyncpat's TypeScript backend reads; ESLint may hand a plugin anything else too. */
const EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);

/** Long enough for a first type-checked program of a large project; the engine never waits on anything else. */
const ENGINE_TIMEOUT_MS = 300_000;
/** TypeScript's parser and checker recurse once per nesting level (as for `asyncpat lint`'s worker). */
const ENGINE_STACK_MB = 256;

interface Engine {
  worker: Worker;
  port: import("node:worker_threads").MessagePort;
  signal: Int32Array;
  failure?: string;
}

let engine: Engine | undefined;

function startEngine(): Engine {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./eslint-worker.js", import.meta.url), {
    workerData: { signal, port: port2 } satisfies EngineWorkerData,
    transferList: [port2],
    resourceLimits: { stackSizeMb: ENGINE_STACK_MB },
    // Not ESLint's own Node flags: under `node --eval` the thread would run the evaluated script again.
    execArgv: [],
  });
  // The thread must not keep ESLint alive once it is done.
  worker.unref();
  const started: Engine = { worker, port: port1, signal };
  worker.on("error", (error) => {
    started.failure = error.message;
  });
  worker.on("exit", (code) => {
    started.failure ??= `it stopped with exit code ${code}`;
    if (engine === started) engine = undefined;
  });
  return started;
}

/** Lints one file in the engine thread, blocking until it answers. */
function lintInEngine(request: EngineRequest): EngineResponse {
  engine ??= startEngine();
  const current = engine;
  Atomics.store(current.signal, 0, 0);
  current.port.postMessage(request);
  if (Atomics.wait(current.signal, 0, 0, ENGINE_TIMEOUT_MS) === "timed-out") {
    // a thread that already stopped has nothing left to end
    current.worker.terminate().catch(() => undefined);
    engine = undefined;
    const reason = current.failure ? ` (${current.failure})` : "";
    throw new Error(`asyncpat: its engine thread did not answer within ${ENGINE_TIMEOUT_MS / 1000} s for ${request.filePath}${reason}.`);
  }
  const received = receiveMessageOnPort(current.port);
  if (!received) throw new Error(`asyncpat: its engine thread answered nothing for ${request.filePath}.`);
  return received.message as EngineResponse;
}

/** What the asyncpat rules of one file share in one ESLint pass: who is on, with which options, and the one engine run. */
interface Batch {
  rules: Map<string, Record<string, unknown>>;
  findings?: Map<string, EngineFinding[]>;
  crashes?: Map<string, string>;
}

// ESLint makes one SourceCode per file and pass (a --fix pass re-parses), and creates every rule
// before it walks the tree: so when the first `Program:exit` runs, the batch holds every asyncpat
// rule on for this file, and the others find the result there.
const batches = new WeakMap<SourceCode, Batch>();

function batchOf(sourceCode: SourceCode): Batch {
  let batch = batches.get(sourceCode);
  if (!batch) {
    batch = { rules: new Map() };
    batches.set(sourceCode, batch);
  }
  return batch;
}

function runBatch(batch: Batch, context: ESLintRule.RuleContext, filePath: string): void {
  const parserServices = context.sourceCode.parserServices as { program?: unknown } | undefined;
  const response = lintInEngine({
    filePath,
    text: context.sourceCode.text,
    cwd: context.cwd,
    rules: [...batch.rules].map(([id, options]) => ({ id, options })),
    types: parserServices?.program != null,
  });
  if (!response.ok) throw new Error(`asyncpat: cannot lint ${filePath}: ${response.message}`);
  batch.findings = new Map();
  for (const finding of response.findings) {
    const list = batch.findings.get(finding.ruleId) ?? [];
    list.push(finding);
    batch.findings.set(finding.ruleId, list);
  }
  batch.crashes = new Map(response.internalErrors.map((error) => [error.ruleId, error.message]));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The `data` that turns a message template back into the text asyncpat formatted, so ESLint gets
 * the rule's messageId (and its own interpolation gives the same text); undefined when it does not fit.
 */
export function messageData(template: string, message: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/\{\{\s*(\w+)\s*\}\}/)
    .map((part, index) => {
      if (index % 2 === 0) return escapeRegExp(part);
      names.push(part);
      return "([\\s\\S]*?)";
    })
    .join("");
  const match = new RegExp(`^${pattern}$`).exec(message);
  if (!match) return undefined;
  const data: Record<string, string> = {};
  for (const [index, name] of names.entries()) {
    const value = match[index + 1]!;
    if (name in data && data[name] !== value) return undefined;
    data[name] = value;
  }
  return data;
}

/** Flags another part of asyncpat may declare on a rule's meta or its TypeScript implementation. */
interface FixFlags {
  fixable?: "code" | "whitespace";
  hasSuggestions?: boolean;
}

function eslintRule(rule: Rule): ESLintRule.RuleModule {
  const implementation = rule.implementations.typescript!;
  const flags: FixFlags = { ...(rule.meta as FixFlags), ...(implementation as FixFlags) };
  const schema = ruleOptionsSchema(rule);
  return {
    meta: {
      type: "problem",
      docs: {
        description: rule.meta.description,
        url: ruleDocsUrl(rule.id),
        recommended: !WHOLE_PROGRAM_RULES.has(rule.id),
      },
      messages: { ...implementation.messages },
      schema: schema ? [schema] : [],
      ...(flags.fixable ? { fixable: flags.fixable } : {}),
      ...(flags.hasSuggestions ? { hasSuggestions: true } : {}),
    },
    create(context) {
      const filePath = path.resolve(context.cwd, context.filename);
      if (!EXTENSIONS.has(path.extname(filePath))) return {};
      const batch = batchOf(context.sourceCode);
      batch.rules.set(rule.id, (context.options[0] ?? {}) as Record<string, unknown>);
      return {
        "Program:exit"() {
          if (!batch.findings) runBatch(batch, context, filePath);
          const crash = batch.crashes!.get(rule.id);
          if (crash !== undefined) throw new Error(`asyncpat: rule "${rule.id}" crashed on ${filePath}; please report this.\n${crash}`);
          for (const finding of batch.findings!.get(rule.id) ?? []) report(context, finding, implementation.messages, flags);
        },
      };
    },
  };
}

function report(context: ESLintRule.RuleContext, finding: EngineFinding, messages: Record<string, string>, flags: FixFlags): void {
  const template = finding.messageId === undefined ? undefined : messages[finding.messageId];
  const data = template === undefined ? undefined : messageData(template, finding.message);
  const fix = finding.fix;
  context.report({
    ...(data ? { messageId: finding.messageId!, data } : { message: finding.message }),
    loc: {
      start: { line: finding.line, column: finding.column - 1 },
      end: { line: finding.endLine, column: finding.endColumn - 1 },
    },
    ...(flags.fixable && fix ? { fix: (fixer: ESLintRule.RuleFixer) => fixer.replaceTextRange(fix.range, fix.text) } : {}),
    ...(flags.hasSuggestions && finding.suggestions?.length
      ? {
          suggest: finding.suggestions.map((suggestion) => ({
            desc: suggestion.desc,
            fix: (fixer: ESLintRule.RuleFixer) => fixer.replaceTextRange(suggestion.fix.range, suggestion.fix.text),
          })),
        }
      : {}),
  });
}

const typescriptRules = allRules.filter((rule) => rule.implementations.typescript !== undefined);
const presetRules = typescriptRules.filter((rule) => !WHOLE_PROGRAM_RULES.has(rule.id));

const plugin: AsyncpatEslintPlugin = {
  meta: { name: "asyncpat", version },
  rules: Object.fromEntries(typescriptRules.map((rule) => [rule.id, eslintRule(rule)])),
  configs: { recommended: {}, strict: {} },
};
plugin.configs.recommended = {
  name: "asyncpat/recommended",
  plugins: { asyncpat: plugin as ESLint.Plugin },
  rules: Object.fromEntries(presetRules.map((rule) => [`asyncpat/${rule.id}`, presetSeverity("asyncpat:recommended", rule)])),
};
plugin.configs.strict = {
  name: "asyncpat/strict",
  plugins: { asyncpat: plugin as ESLint.Plugin },
  rules: Object.fromEntries(presetRules.map((rule) => [`asyncpat/${rule.id}`, presetSeverity("asyncpat:strict", rule)])),
};

export default plugin;
