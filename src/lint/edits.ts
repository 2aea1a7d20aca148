/* The shapes of edits (ESLint's), in a leaf module: the rule types and the engine's types both use them. */

/**
 * A text edit, ESLint's shape: replace `range` (0-based offsets in UTF-16 code units of the file's
 * text, end exclusive) with `text`.
 */
export interface Fix {
  range: [number, number];
  text: string;
}

/** An edit offered but not applied by `--fix`, because it needs judgment (ESLint's suggestions). */
export interface Suggestion {
  desc: string;
  messageId?: string;
  fix: Fix;
}
