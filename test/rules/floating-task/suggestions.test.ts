/**
 * floating-task's suggestions: each one, applied to the code, leaves nothing for the rule to report
 * and a file that compiles under a strict tsc.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyFixes } from "../../../src/lint/fix.js";
import floatingTask from "../../../rules/floating-task/index.js";
import { makeTree } from "../../helpers/cli.js";
import { lintSnippet } from "../../helpers/rule-tester.js";
import { typecheck } from "../../helpers/typecheck.js";

const lastStatement = `async function save(id: string): Promise<number> {
  const response = await fetch(\`https://audit.internal/\${id}\`, { method: "POST", signal: AbortSignal.timeout(5000) });
  return response.status;
}

export async function handler(id: string) {
  console.log("saving", id);
  save(id);
}
`;

const middleStatement = `async function save(id: string): Promise<number> {
  const response = await fetch(\`https://audit.internal/\${id}\`, { method: "POST", signal: AbortSignal.timeout(5000) });
  return response.status;
}

export async function handler(id: string): Promise<void> {
  save(id);
  console.log("saved", id);
}
`;

async function suggestionsOf(code: string) {
  const messages = await lintSnippet(floatingTask, { code });
  const floating = messages.filter((message) => message.messageId === "floating");
  expect(floating).toHaveLength(1);
  return floating[0]!.suggestions ?? [];
}

describe("floating-task suggestions", { timeout: 120_000 }, () => {
  it("offers await, return and .catch for a dropped promise that ends an async function without a return type", async () => {
    const suggestions = await suggestionsOf(lastStatement);
    expect(suggestions.map((suggestion) => suggestion.desc)).toEqual([
      "Await it",
      "Return it, so the caller awaits it",
      "Handle its rejection with .catch and mark it deliberately not awaited",
    ]);
    const dir = makeTree({});
    for (const [index, suggestion] of suggestions.entries()) {
      const fixed = applyFixes(lastStatement, [suggestion.fix]).output;
      expect(fixed).not.toBe(lastStatement);
      const after = await lintSnippet(floatingTask, { code: fixed });
      expect(after, `after "${suggestion.desc}"`).toEqual([]);
      writeFileSync(
        path.join(dir, `case${index}.ts`),
        fixed.replace(/export async function handler/, `export async function handler${index}`),
      );
    }
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", types: ["node"] },
        include: ["*.ts"],
      }),
    );
    expect(typecheck(dir)).toBe("");
  });

  it("does not offer return when the statement is not the function's last", async () => {
    const suggestions = await suggestionsOf(middleStatement);
    expect(suggestions.map((suggestion) => suggestion.desc)).toEqual([
      "Await it",
      "Handle its rejection with .catch and mark it deliberately not awaited",
    ]);
  });

  it("writes the .catch handler without a type annotation in JavaScript", async () => {
    const code = `async function save() {\n  await fetch("https://audit.internal", { signal: AbortSignal.timeout(5000) });\n}\n\nexport function handler() {\n  save();\n  return 1;\n}\n`;
    const messages = await lintSnippet(floatingTask, { code, filename: "case.js" });
    const suggestions = messages.find((message) => message.messageId === "floating")!.suggestions!;
    expect(suggestions.map((suggestion) => suggestion.fix.text)).toEqual(["void save().catch((error) => console.error(error))"]);
  });
});
