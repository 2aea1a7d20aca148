/**
 * async-interval's fix, through the real CLI: an async setInterval callback becomes a self-scheduling
 * setTimeout that never overlaps, the rule has nothing left to report, and the file compiles.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../../helpers/cli.js";
import { typecheck } from "../../helpers/typecheck.js";

const poller = `const POLL_MS = 5_000;

async function syncInventory(): Promise<number> {
  const response = await fetch("https://inventory.internal/sync", { method: "POST", signal: AbortSignal.timeout(3_000) });
  return response.status;
}

export function start(): void {
  setInterval(async () => {
    // one sync at a time
    const status = await syncInventory();
    if (status !== 200) return;
    console.log("synced");
  }, POLL_MS);
  setInterval(async () => syncInventory(), 60_000);
}
`;

describe("async-interval --fix", { timeout: 240_000 }, () => {
  it("rewrites an unused async setInterval into a self-scheduling setTimeout that still type-checks", async () => {
    const dir = makeTree({ "src/poller.ts": poller });
    expect(typecheck(dir)).toBe("");
    const fixed = await runCli(["lint", "--fix", "--rule", "floating-task=off"], { cwd: dir });
    expect(fixed.stdout + fixed.stderr).toBe("");
    expect(fixed.exitCode).toBe(0);
    const text = readFileSync(path.join(dir, "src/poller.ts"), "utf8");
    expect(text).not.toContain("setInterval");
    expect(text).toContain(`  function scheduleNextRun(): void {
    setTimeout(async () => {
      try {
        // one sync at a time
        const status = await syncInventory();
        if (status !== 200) return;
        console.log("synced");
      } finally {
        scheduleNextRun();
      }
    }, POLL_MS);
  }
  scheduleNextRun();`);
    expect(text).toContain("await syncInventory();\n      } finally {\n        scheduleNextRun2();");
    expect(typecheck(dir)).toBe("");
  });

  it("leaves a kept handle, a this-using body and a file with its own setTimeout alone", async () => {
    const kept = `async function tick(): Promise<void> {}\n\nexport const timer = setInterval(async () => {\n  await tick();\n}, 1_000);\n`;
    const usesThis = `export class Poller {\n  start(): void {\n    setInterval(async () => {\n      await this.run();\n    }, 1_000);\n  }\n  async run(): Promise<void> {}\n}\n`;
    const ownTimeout = `import { setTimeout } from "node:timers/promises";\n\nsetInterval(async () => {\n  await setTimeout(10);\n}, 1_000);\n`;
    const dir = makeTree({ "src/kept.ts": kept, "src/this.ts": usesThis, "src/own.ts": ownTimeout });
    const result = await runCli(["lint", "--fix-dry-run", "--format", "json", "--rule", "floating-task=off"], { cwd: dir });
    const files = JSON.parse(result.stdout) as { messages: { ruleId: string }[]; output?: string }[];
    expect(files.map((file) => file.messages.map((message) => message.ruleId))).toEqual([
      ["async-interval"],
      ["async-interval"],
      ["async-interval"],
    ]);
    expect(files.map((file) => file.output)).toEqual([undefined, undefined, undefined]);
  });
});
