/**
 * Splitting a run's files into parts (worker threads, CI shards), package first: cross-file facts
 * and the TypeScript program are per package, so a part that lints some of a package's files also
 * reads the rest of that package (its context) and reports only on its own share. Cuts fall on
 * package boundaries where one is near; the split depends only on the file paths, never on timing,
 * so every machine of a CI matrix computes the same shards.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import { packageKeyOf } from "./file-roles.js";

export interface Part {
  /** The files this part reports on, in the run's order. */
  lint: string[];
  /** The files it reads: every file of the packages it touches (a superset of `lint`). */
  context: string[];
}

/**
 * Splits `files` into at most `count` parts of near-equal size; `universe` holds every file of the run
 * (the context to draw on). `withContext: false` leaves each part's context to the caller (no file is read).
 */
export function splitFiles(
  files: readonly string[],
  count: number,
  universe: readonly string[] = files,
  { withContext = true, weightOf }: { withContext?: boolean; weightOf?: (file: string) => number } = {},
): Part[] {
  const packageOf = new Map<string, string>();
  for (const file of universe) packageOf.set(file, packageKeyOf(file));
  for (const file of files) if (!packageOf.has(file)) packageOf.set(file, packageKeyOf(file));
  const ordered = [...files].sort((a, b) => compare(packageOf.get(a)!, packageOf.get(b)!) || compare(a, b));
  const total = ordered.length;
  const parts = Math.max(1, Math.min(count, total));
  const boundaries: number[] = [];
  for (let index = 1; index < total; index++)
    if (packageOf.get(ordered[index]!) !== packageOf.get(ordered[index - 1]!)) boundaries.push(index);
  const slack = total / (4 * parts);
  const idealCut = weightOf ? weightedCuts(ordered, parts, weightOf) : (part: number) => Math.round((part * total) / parts);
  const cuts = [0];
  for (let part = 1; part < parts; part++) {
    const ideal = idealCut(part);
    let cut = ideal;
    let best = Infinity;
    for (const boundary of boundaries) {
      const distance = Math.abs(boundary - ideal);
      if (distance <= slack && distance < best) {
        best = distance;
        cut = boundary;
      }
    }
    cuts.push(Math.max(cut, cuts[cuts.length - 1]!));
  }
  cuts.push(total);
  const byPackage = new Map<string, string[]>();
  for (const file of universe) {
    const key = packageOf.get(file)!;
    const list = byPackage.get(key);
    if (list) list.push(file);
    else byPackage.set(key, [file]);
  }
  const result: Part[] = [];
  for (let part = 0; part < parts; part++) {
    const share = new Set(ordered.slice(cuts[part], cuts[part + 1]));
    if (share.size === 0) continue;
    if (!withContext) {
      result.push({ lint: files.filter((file) => share.has(file)), context: [...share] });
      continue;
    }
    const packages = new Set([...share].map((file) => packageOf.get(file)!));
    const context = new Set<string>();
    for (const file of universe) if (packages.has(packageOf.get(file)!)) context.add(file);
    for (const file of share) context.add(file);
    const closed = withImports([...context], universe);
    result.push({ lint: files.filter((file) => share.has(file)), context: universe.filter((file) => closed.has(file)) });
  }
  return result;
}

/** Where the `part`-th cut falls so that each part holds a near-equal share of the total weight. */
function weightedCuts(ordered: readonly string[], parts: number, weightOf: (file: string) => number): (part: number) => number {
  const before = [0];
  for (const file of ordered) before.push(before[before.length - 1]! + Math.max(1, weightOf(file)));
  const total = before[before.length - 1]!;
  return (part) => {
    const target = (part * total) / parts;
    let index = 0;
    while (index < ordered.length && before[index + 1]! <= target) index++;
    // the cut goes on whichever side of the file that crosses the target leaves the shares closer
    return index < ordered.length && before[index + 1]! - target < target - before[index]! ? index + 1 : index;
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `--shard i/n`: the i-th of n parts (1-based). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (for example 1/4), not "${value}".`);
  }
  return { index, count };
}

/** `--concurrency`: a number of threads, "auto" (half the cores, fewer for small runs and for type programs that cannot be split) or "off". */
export type Concurrency = number | "auto" | "off";

export function parseConcurrency(value: string): Concurrency {
  if (value === "auto" || value === "off") return value;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new UsageError(`--concurrency takes a whole number of 1 or more, "auto" or "off", not "${value}".`);
  }
  return parsed;
}

const RELATIVE_SPECIFIER = /(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"'\n]+)["']/g;
const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** Files of the run a relative specifier can name (`./x.js` may be `./x.ts`), as the TypeScript backend resolves them. */
function resolveCandidates(fromFile: string, specifier: string, known: ReadonlySet<string>): string[] {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const extension = path.extname(base);
  const stem = base.slice(0, base.length - extension.length);
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`];
  for (const ext of EXTENSIONS) candidates.push(`${base}${ext}`, path.join(base, `index${ext}`));
  return candidates.filter((candidate) => known.has(candidate));
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * `files` and every file of the run they import, transitively (relative imports found in the text;
 * a match in a comment only adds a file, which is safe): rules resolve a file's imports across
 * packages, so a part must read them too.
 */
export function withImports(
  files: readonly string[],
  universe: readonly string[],
  textOf: (file: string) => string = readText,
): Set<string> {
  const known = new Set(universe);
  const included = new Set(files);
  const queue = [...included];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const match of textOf(current).matchAll(RELATIVE_SPECIFIER)) {
      for (const target of resolveCandidates(current, match[1]!, known)) {
        if (!included.has(target)) {
          included.add(target);
          queue.push(target);
        }
      }
    }
  }
  return included;
}
