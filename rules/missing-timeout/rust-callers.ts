/**
 * missing-timeout (Rust), across files: which functions of the crate are called under a deadline
 * (`timeout(…)` or a configured wrapper within the three lines before the call), read as text.
 */
import type { RustRuleContext } from "../../src/lint/rust-api.js";

type Program = RustRuleContext<unknown>["program"];

/** Per run and wrapper set: function name → the files that call it under a deadline (seen as text). */
const DEADLINE_CALLERS = new WeakMap<Program, Map<string, Map<string, Set<string>>>>();
const FN_DECLARATION = /^\s*(pub(\([^)]*\))?\s+)?(async\s+)?fn\s/;
const CALLED_NAME = /(?<!\w)([A-Za-z_]\w*)\s*\(/g;

/**
 * Built once per run, the first time a file asks: each file's lines are split and scanned once, so
 * the cross-file lookup costs the same whatever the number of files that ask.
 */
export function deadlineCallers(program: Program, wrappers: Set<string>): Map<string, Set<string>> {
  let byWrappers = DEADLINE_CALLERS.get(program);
  if (!byWrappers) DEADLINE_CALLERS.set(program, (byWrappers = new Map()));
  const key = [...wrappers].join(",");
  let callers = byWrappers.get(key);
  if (callers) return callers;
  callers = new Map();
  byWrappers.set(key, callers);
  const wrapper = new RegExp(`\\b(${[...wrappers].map((w) => w.replace(/[^\w]/g, "")).join("|")})\\s*\\(|\\.timeout\\s*\\(`);
  for (const file of program.files) {
    if (!wrapper.test(file.text)) continue;
    const lines = file.text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!;
      if (FN_DECLARATION.test(line) || !line.includes("(")) continue;
      const window = lines.slice(Math.max(0, index - 3), index + 1).join("\n");
      if (!wrapper.test(window)) continue;
      for (const match of line.matchAll(CALLED_NAME)) {
        const name = match[1]!;
        let files = callers.get(name);
        if (!files) callers.set(name, (files = new Set()));
        files.add(file.path);
      }
    }
  }
  return callers;
}

export function mentionedTwice(source: string, name: string): boolean {
  const first = source.indexOf(name);
  return first >= 0 && source.indexOf(name, first + name.length) >= 0;
}
