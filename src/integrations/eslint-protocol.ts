/** What the ESLint plugin and its engine thread hand each other, one request per linted file. */
import type { MessagePort } from "node:worker_threads";
import type { Fix, Suggestion } from "../lint/types.js";

export interface EngineRequest {
  /** Absolute path of the file ESLint lints (it need not exist on disk: the text is handed in). */
  filePath: string;
  text: string;
  /** ESLint's cwd: where paths are judged from when the file has no package.json above it. */
  cwd: string;
  /** The asyncpat rules ESLint has on for this file, with the options ESLint validated. */
  rules: { id: string; options: Record<string, unknown> }[];
  /** The user's ESLint setup provides type information: use the checker on the nearest tsconfig's program. */
  types: boolean;
}

/** A finding of one rule, positions as asyncpat gives them (1-based lines and columns, end exclusive). */
export interface EngineFinding {
  ruleId: string;
  messageId?: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix?: Fix;
  suggestions?: Suggestion[];
}

export type EngineResponse =
  { ok: true; findings: EngineFinding[]; internalErrors: { ruleId: string; message: string }[] } | { ok: false; message: string };

/** Shared with the engine thread: slot 0 is set to 1 and notified when a response has been posted. */
export interface EngineWorkerData {
  signal: Int32Array;
  port: MessagePort;
}
