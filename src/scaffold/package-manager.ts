export const PACKAGE_MANAGERS = ["npm", "pnpm", "yarn", "bun"] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export function isPackageManager(value: string): value is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(value);
}

/**
 * The package manager that ran us, from `npm_config_user_agent` (`pnpm/9.1.0 npm/? node/v20…`,
 * set by `npm exec`, `pnpm dlx`, `yarn dlx`, `bunx`), else npm.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const first = userAgent?.trim().split(/\s+/)[0]?.split("/")[0]?.toLowerCase() ?? "";
  return isPackageManager(first) ? first : "npm";
}

export function installCommand(pm: PackageManager): { file: string; args: string[] } {
  return { file: pm, args: ["install"] };
}

/** How a package script is run; `bun test` would start bun's own test runner, hence `bun run test`. */
function runScript(pm: PackageManager, script: string): string {
  if (pm === "npm") return ["test", "start"].includes(script) ? `npm ${script}` : `npm run ${script}`;
  if (pm === "yarn") return `yarn ${script}`;
  if (pm === "pnpm") return ["test", "start"].includes(script) ? `pnpm ${script}` : `pnpm run ${script}`;
  return `bun run ${script}`;
}

function execBinary(pm: PackageManager, rest: string): string {
  if (pm === "npm") return `npx ${rest}`;
  if (pm === "pnpm") return `pnpm exec ${rest}`;
  if (pm === "yarn") return `yarn ${rest}`;
  return `bunx ${rest}`;
}

/**
 * Rewrites an npm command from a manifest's `nextSteps` for the chosen package manager:
 * `npm run dev`, `npm test`, `npm start`, `npm install`, `npm exec x`/`npx x`. Anything else is kept.
 */
export function rewriteForPackageManager(command: string, pm: PackageManager): string {
  const words = command.trim().split(/\s+/);
  const [tool, sub, ...rest] = words;
  if (tool === "npx") return execBinary(pm, words.slice(1).join(" "));
  if (tool !== "npm" || sub === undefined) return command;
  const tail = rest.length > 0 ? ` ${rest.join(" ")}` : "";
  if (sub === "run" || sub === "run-script") {
    const [script, ...args] = rest;
    if (script === undefined) return command;
    return runScript(pm, script) + (args.length > 0 ? ` ${args.join(" ")}` : "");
  }
  if (sub === "test" || sub === "t" || sub === "start") return runScript(pm, sub === "t" ? "test" : sub) + tail;
  if (sub === "install" || sub === "i" || sub === "ci") return rest.length === 0 ? `${pm} install` : command;
  if (sub === "exec") return execBinary(pm, rest.filter((word) => word !== "--").join(" "));
  return command;
}
