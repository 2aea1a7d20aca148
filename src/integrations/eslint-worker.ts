/**
 * asyncpat's engine for the ESLint plugin, in a thread of its own: ESLint rules are synchronous and
 * the engine is not, so the plugin posts a file here and blocks on `Atomics.wait` until the answer
 * is posted back. The thread lives as long as the ESLint process; with type information it keeps one
 * lint session, so the type-checked program stays warm from file to file (without, a file needs no
 * other file, and none is kept). It runs asyncpat's own TypeScript (the one ts-morph bundles) on the
 * file's text; no node of the user's parser ever reaches it.
 */
import path from "node:path";
import { workerData } from "node:worker_threads";
import type { EngineRequest, EngineResponse, EngineWorkerData } from "./eslint-protocol.js";

const { signal, port } = workerData as EngineWorkerData;

const engine = (async () => {
  const [{ lintFiles }, { ROLE_DEFAULTS }, { createLintSession }, { findNearestTsconfig }, { allRules }] = await Promise.all([
    import("../lint/engine.js"),
    import("../lint/config.js"),
    import("../lint/types.js"),
    import("../lint/typescript/backend.js"),
    import("../../rules/index.js"),
  ]);
  const byId = new Map(allRules.map((rule) => [rule.id, rule]));
  const knownRuleIds = new Set(byId.keys());
  const session = createLintSession();
  const tsconfigByFolder = new Map<string, string | undefined>();

  return async (request: EngineRequest): Promise<EngineResponse> => {
    const rules = request.rules.map(({ id, options }) => {
      const rule = byId.get(id);
      if (!rule) throw new Error(`the ESLint plugin asked for the unknown rule "${id}"`);
      return { rule, severity: "warn" as const, options };
    });
    let tsconfigPath: string | undefined;
    if (request.types) {
      const folder = path.dirname(request.filePath);
      if (!tsconfigByFolder.has(folder)) tsconfigByFolder.set(folder, findNearestTsconfig(folder));
      tsconfigPath = tsconfigByFolder.get(folder);
    }
    const report = await lintFiles({
      files: [request.filePath],
      contents: new Map([[request.filePath, request.text]]),
      rules,
      knownRuleIds,
      // As in `asyncpat lint`: the presets' role defaults (test files need no deadlines), fixtures and generated files skipped.
      rulesForRole: (_filePath, role) =>
        rules.map((entry) => (ROLE_DEFAULTS[role]?.get(entry.rule.id)?.severity === "off" ? undefined : entry)),
      cwd: request.cwd,
      tsconfigPath,
      types: request.types,
      session: request.types ? session : undefined,
    });
    const findings = report.results.flatMap((result) =>
      result.messages.flatMap((message) =>
        // Parse errors and asyncpat's notes on its own suppression comments belong to no rule; ESLint has its own for both.
        message.ruleId === null
          ? []
          : [
              {
                ruleId: message.ruleId,
                messageId: message.messageId,
                message: message.message,
                line: message.line,
                column: message.column,
                endLine: message.endLine,
                endColumn: message.endColumn,
                fix: message.fix,
                suggestions: message.suggestions,
              },
            ],
      ),
    );
    return {
      ok: true,
      findings,
      internalErrors: report.internalErrors.map((error) => ({ ruleId: error.ruleId, message: error.message })),
    };
  };
})();
// A failure to load is reported with the first request, not as an unhandled rejection that kills the thread.
engine.catch(() => undefined);

function answer(response: EngineResponse): void {
  port.postMessage(response);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

port.on("message", (request: EngineRequest) => {
  engine
    .then((lint) => lint(request))
    .then(answer, (error: unknown) => answer({ ok: false, message: error instanceof Error ? error.message : String(error) }));
});
