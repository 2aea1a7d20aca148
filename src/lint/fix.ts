/**
 * Applying text edits: ESLint's rules for `--fix`. Edits are applied from the start of the file to
 * its end; an edit that overlaps or touches one already taken is left for the next pass, so two
 * rules rewriting the same code never produce a mix of both.
 */
import type { Fix, LintMessage } from "./types.js";

export interface AppliedFixes {
  /** The text with the edits applied (the input itself when none was). */
  output: string;
  /** How many edits were applied. */
  applied: number;
  /** Edits skipped because they overlap one applied in this pass; a later pass may apply them. */
  skipped: number;
}

function isValid(fix: Fix, length: number): boolean {
  const [start, end] = fix.range;
  return Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length;
}

/** Applies the non-overlapping edits among `fixes` to `text`, earliest first. */
export function applyFixes(text: string, fixes: readonly Fix[]): AppliedFixes {
  const sorted = fixes.filter((fix) => isValid(fix, text.length)).sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  let output = "";
  let last = -1;
  let copiedTo = 0;
  let applied = 0;
  let skipped = fixes.length - sorted.length;
  for (const fix of sorted) {
    const [start, end] = fix.range;
    // An edit starting where the previous one ended is skipped too: two insertions at one offset
    // have no order that is right for both.
    if (start <= last) {
      skipped++;
      continue;
    }
    output += text.slice(copiedTo, start) + fix.text;
    copiedTo = end;
    last = Math.max(end, start);
    applied++;
  }
  output += text.slice(copiedTo);
  return { output: applied > 0 ? output : text, applied, skipped };
}

/** The fixes `--fix` would apply for these messages. */
export function fixesOf(messages: readonly LintMessage[]): Fix[] {
  return messages.flatMap((message) => (message.fix ? [message.fix] : []));
}
