import { ts } from "#compiler";

/**
 * The flow lattice of the holding analysis: whether the resource is unacquired, held or released on each exit (normal, thrown, returned, jumps) of a statement, and the analysis's own budget.
 */

/** An await (or `for await`, or a promise a `runExclusive` callback returns) while the resource is held. */
export interface HeldWait {
  /** The node to report: the `await`, the `for await` statement, the returned expression. */
  node: ts.Node;
  /** The awaited expression. */
  operand: ts.Expression;
}

export type LeakReason = "throw" | "exit" | "end" | "never";

export interface Leak {
  reason: LeakReason;
  /** The call that can throw, the `return`/`break`/`continue`/`yield` that leaves, or the block that ends. */
  site: ts.Node;
}

export interface Holding {
  /** Awaits that run while the resource is held on every path to them. */
  waits: HeldWait[];
  /** A path on which the release is skipped; undefined when release is guaranteed or handed off. */
  leak?: Leak;
}

export const UNACQUIRED = 1;
export const HELD = 2;
export const DONE = 4;

export interface Exit {
  mask: number;
  /** What made this exit leave with the resource held (first one found). */
  site?: ts.Node;
}

export interface Jump {
  kind: "break" | "continue";
  label?: string;
  exit: Exit;
}

export interface Flow {
  normal: number;
  thrown: Exit;
  returned: Exit;
  jumps: Jump[];
}

export const NONE: Exit = { mask: 0 };

export function mergeExit(a: Exit, b: Exit): Exit {
  if (b.mask === 0) return a;
  if (a.mask === 0) return b;
  const site = a.mask & HELD && a.site ? a.site : b.mask & HELD ? b.site : a.site;
  return { mask: a.mask | b.mask, site };
}

export function emptyFlow(normal: number): Flow {
  return { normal, thrown: NONE, returned: NONE, jumps: [] };
}

export function addAbrupt(target: Flow, source: Flow): void {
  target.thrown = mergeExit(target.thrown, source.thrown);
  target.returned = mergeExit(target.returned, source.returned);
  if (source.jumps.length > 0) target.jumps = [...target.jumps, ...source.jumps];
}

export function afterRelease(mask: number, conditional: boolean): number {
  if (!(mask & HELD)) return mask;
  return conditional ? mask | DONE : (mask & ~HELD) | DONE;
}

export function afterAcquire(mask: number, conditional: boolean): number {
  if (mask === 0) return 0;
  return conditional ? mask | HELD : HELD;
}
