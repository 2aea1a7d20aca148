/**
 * What a change on disk means for the server: re-read the configs, rebuild the warm TypeScript
 * program, or nothing.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_FILES } from "../lint/config.js";
import { lintableExtensions } from "../lint/engine.js";
import { inSkippedFolder } from "./lint-document.js";

/** Files whose change means the config must be read again. */
const CONFIG_NAMES: readonly string[] = [...CONFIG_FILES, "package.json"];
const TSCONFIG_NAME = /^[tj]sconfig(\..*)?\.json$/;
const SOURCE_EXTENSIONS = new Set(lintableExtensions());

/** The globs the server asks the client to watch. */
export function watchedGlobs(): string[] {
  const sources = lintableExtensions().map((extension) => extension.slice(1));
  return [`**/{${CONFIG_NAMES.join(",")}}`, "**/{tsconfig,jsconfig}*.json", `**/*.{${sources.join(",")}}`];
}

export function classifyChanges(uris: readonly string[], isOpen: (uri: string) => boolean): { config: boolean; program: boolean } {
  const outcome = { config: false, program: false };
  for (const uri of uris) {
    if (!uri.startsWith("file:")) continue;
    const filePath = fileURLToPath(uri);
    const name = path.basename(filePath);
    // A tsconfig counts wherever it is: a project's may extend a base in node_modules.
    if (TSCONFIG_NAME.test(name)) outcome.program = true;
    // node_modules, dist, target: installs and build output, not the project's config or source.
    else if (inSkippedFolder(filePath)) continue;
    else if (CONFIG_NAMES.includes(name)) outcome.config = true;
    // A source file changed behind the editor (a checkout, a generator): the warm program holds its old text.
    // Declaration files count (they carry types); an open buffer's own save does not: the program has that text.
    else if (SOURCE_EXTENSIONS.has(path.extname(filePath)) && !isOpen(uri)) outcome.program = true;
  }
  return outcome;
}
