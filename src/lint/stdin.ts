/** `lint --stdin`: the text read from standard input, linted as if it were a file at `--stdin-filename`. */
import path from "node:path";
import { UsageError } from "../errors.js";

/** The name standard input is linted under when `--stdin-filename` is not given, in the cwd. */
export const DEFAULT_STDIN_FILENAME = "stdin.ts";

export interface StdinTarget {
  /** Absolute path the text is linted as: its config, tsconfig, file role and language follow from it. */
  path: string;
  /** For `EngineOptions.contents`. */
  contents: Map<string, string>;
}

export function stdinTarget(options: {
  cwd: string;
  filename: string | undefined;
  paths: readonly string[];
  text: string | undefined;
  extensions: readonly string[];
}): StdinTarget {
  if (options.paths.length > 0) {
    throw new UsageError(
      `--stdin lints standard input and takes no paths (got ${options.paths.join(" ")}); drop the paths, or use --stdin-filename to name the text.`,
    );
  }
  if (options.text === undefined) throw new UsageError("--stdin: standard input could not be read.");
  const filename = options.filename ?? DEFAULT_STDIN_FILENAME;
  const extension = path.extname(filename);
  if (!options.extensions.includes(extension)) {
    throw new UsageError(
      `--stdin-filename ${filename}: the extension decides the language, and "${extension || "(none)"}" is not one asyncpat lints; use one of ${options.extensions.join(", ")}.`,
    );
  }
  const absolute = path.resolve(options.cwd, filename);
  return { path: absolute, contents: new Map([[absolute, options.text]]) };
}
