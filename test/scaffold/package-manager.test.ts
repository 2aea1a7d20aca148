import { describe, expect, it } from "vitest";
import { detectPackageManager, rewriteForPackageManager } from "../../src/scaffold/package-manager.js";

describe("detectPackageManager", () => {
  it.each([
    ["pnpm/9.12.0 npm/? node/v20.17.0 linux x64", "pnpm"],
    ["yarn/1.22.22 npm/? node/v20.17.0 linux x64", "yarn"],
    ["bun/1.1.30 npm/? node/v22.0.0 linux x64", "bun"],
    ["npm/10.8.2 node/v20.17.0 linux x64 workspaces/false", "npm"],
    ["cnpm/9 node/v20", "npm"],
    ["", "npm"],
    [undefined, "npm"],
  ])("%j → %s", (agent, pm) => {
    expect(detectPackageManager(agent)).toBe(pm);
  });
});

describe("rewriteForPackageManager", () => {
  const table: [string, Record<string, string>][] = [
    ["npm test", { npm: "npm test", pnpm: "pnpm test", yarn: "yarn test", bun: "bun run test" }],
    ["npm start", { npm: "npm start", pnpm: "pnpm start", yarn: "yarn start", bun: "bun run start" }],
    ["npm run dev", { npm: "npm run dev", pnpm: "pnpm run dev", yarn: "yarn dev", bun: "bun run dev" }],
    [
      "npm run bench -- --threads 1",
      {
        npm: "npm run bench -- --threads 1",
        pnpm: "pnpm run bench -- --threads 1",
        yarn: "yarn bench -- --threads 1",
        bun: "bun run bench -- --threads 1",
      },
    ],
    ["npm install", { npm: "npm install", pnpm: "pnpm install", yarn: "yarn install", bun: "bun install" }],
    [
      "npx asyncpat lint",
      { npm: "npx asyncpat lint", pnpm: "pnpm exec asyncpat lint", yarn: "yarn asyncpat lint", bun: "bunx asyncpat lint" },
    ],
    [
      "npm exec -- asyncpat lint",
      { npm: "npx asyncpat lint", pnpm: "pnpm exec asyncpat lint", yarn: "yarn asyncpat lint", bun: "bunx asyncpat lint" },
    ],
    ["docker compose up", { npm: "docker compose up", pnpm: "docker compose up", yarn: "docker compose up", bun: "docker compose up" }],
  ];
  it.each(table)("%s", (command, expected) => {
    for (const [pm, rewritten] of Object.entries(expected)) {
      expect(rewriteForPackageManager(command, pm as never)).toBe(rewritten);
    }
  });
});
