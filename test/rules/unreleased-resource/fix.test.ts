/**
 * unreleased-resource's fix, through the real CLI: a release on the success path only moves into a
 * `finally`, the rule has nothing left to report, and the file compiles (pg and async-mutex are
 * declared in a small .d.ts, as the repository does not install them).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../../helpers/cli.js";
import { typecheck } from "../../helpers/typecheck.js";

const declarations = `declare module "pg" {
  export interface QueryResult { rows: unknown[] }
  export interface PoolClient { query(text: string, values?: unknown[]): Promise<QueryResult>; release(): void }
  export class Pool { constructor(config?: { connectionTimeoutMillis?: number }); connect(): Promise<PoolClient> }
}
declare module "async-mutex" {
  export class Mutex { acquire(): Promise<() => void> }
}
`;

const users = `import { Pool } from "pg";

const pool = new Pool({ connectionTimeoutMillis: 5_000 });

export async function findUser(id: string): Promise<unknown> {
  const client = await pool.connect();
  // one round trip
  const result = await client.query("SELECT * FROM users WHERE id = $1", [id]);
  client.release();
  return result.rows[0];
}
`;

const cache = `import { Mutex } from "async-mutex";

const lock = new Mutex();
const values = new Map<string, string>();

export async function put(key: string, load: (key: string) => Promise<string>): Promise<void> {
  const release = await lock.acquire();
  values.set(key, await load(key));
  release();
}
`;

describe("unreleased-resource --fix", { timeout: 240_000 }, () => {
  it("moves a success-path release into finally, and the file still type-checks", async () => {
    const dir = makeTree({ "src/types.d.ts": declarations, "src/users.ts": users, "src/cache.ts": cache });
    expect(typecheck(dir)).toBe("");
    const fixed = await runCli(["lint", "--fix"], { cwd: dir });
    expect(fixed.stdout + fixed.stderr).toBe("");
    expect(fixed.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, "src/users.ts"), "utf8")).toContain(`  const client = await pool.connect();
  try {
    // one round trip
    const result = await client.query("SELECT * FROM users WHERE id = $1", [id]);
    return result.rows[0];
  } finally {
    client.release();
  }
}`);
    expect(readFileSync(path.join(dir, "src/cache.ts"), "utf8")).toContain(`  const release = await lock.acquire();
  try {
    values.set(key, await load(key));
  } finally {
    release();
  }
}`);
    expect(typecheck(dir)).toBe("");
  });

  it("leaves a release after more work, or with an early return, to the user", async () => {
    const laterWork = users.replace("  return result.rows[0];", '  return await client.query("SELECT 1");');
    const early = users.replace("  // one round trip\n", "  if (!id) return undefined;\n");
    const dir = makeTree({ "src/types.d.ts": declarations, "src/later.ts": laterWork, "src/early.ts": early });
    const result = await runCli(["lint", "--fix-dry-run", "--format", "json"], { cwd: dir });
    const files = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string }[]; output?: string }[];
    const linted = files.filter((file) => !file.filePath.endsWith(".d.ts"));
    expect(linted.map((file) => file.messages.map((message) => message.ruleId))).toEqual([
      ["unreleased-resource"],
      ["unreleased-resource"],
    ]);
    expect(linted.map((file) => file.output)).toEqual([undefined, undefined]);
  });
});
