/** What the lint command and its worker thread hand each other. */
import type { LintOptions } from "../lint/run.js";

export interface LintWorkerInput {
  paths: string[];
  options: LintOptions;
  stdoutIsTTY: boolean;
  /** Standard input, read in the main thread, for `--stdin`. */
  stdinText?: string;
}

export interface LintWorkerOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the run failed with a usage/config error (exit 2) or an internal error. */
  error?: { message: string; exitCode: number; internal: boolean };
}
