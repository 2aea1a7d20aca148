import type { ConfiguredRule } from "./types.js";

/** Per-rule milliseconds from a backend's accumulators (indexed like `rules`); empty when timing was off. */
export function timingByRule(rules: readonly ConfiguredRule[], timing: number[] | undefined): Record<string, number> {
  if (!timing) return {};
  return Object.fromEntries(rules.map((configured, index) => [configured.rule.id, timing[index]!]).filter(([, ms]) => (ms as number) > 0));
}
