import { afterEach, describe, expect, it, vi } from "vitest";
import os from "node:os";
import { autoTypedSplit, describeTimeline, typedSplitPays, workerCount } from "../../src/lint/parallel.js";
import { preloadFor, threadCpuMs } from "../../src/lint/part-pool.js";
import type { Part } from "../../src/lint/shard.js";
import { makeTree } from "../helpers/cli.js";

const files = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `/repo/${prefix}/f${index}.ts`);

describe("typedSplitPays (with types, auto splits only where the threads' programs stay apart)", () => {
  it("accepts packages that import nothing of each other", () => {
    const parts: Part[] = [
      { lint: files("a", 10), context: files("a", 10) },
      { lint: files("b", 10), context: files("b", 10) },
    ];
    expect(typedSplitPays(parts)).toBe(true);
  });

  it("accepts a few files read across packages (a quarter more than linted at most)", () => {
    const parts: Part[] = [
      { lint: files("a", 10), context: [...files("a", 10), ...files("b", 5)] },
      { lint: files("b", 10), context: files("b", 10) },
    ];
    expect(typedSplitPays(parts)).toBe(true);
  });

  it("refuses one package cut in two, where every thread would build the whole program", () => {
    const all = files("a", 20);
    const parts: Part[] = [
      { lint: all.slice(0, 10), context: all },
      { lint: all.slice(10), context: all },
    ];
    expect(typedSplitPays(parts)).toBe(false);
  });
});

describe("autoTypedSplit", () => {
  const onePackage = (count: number): Part[] => {
    const all = files("a", 20);
    const size = Math.ceil(all.length / count);
    return Array.from({ length: count }, (_, index) => ({ lint: all.slice(index * size, (index + 1) * size), context: all }));
  };

  it("keeps one thread for a single package, saying what a split would have read", () => {
    const chosen = autoTypedSplit(4, onePackage);
    expect(chosen.threads).toBe(1);
    expect(chosen.parts).toBeUndefined();
    expect(chosen.refused?.length).toBe(4);
  });

  it("takes the most threads whose programs stay apart", () => {
    // two packages: any split into more than two parts cuts one of them
    const split = (count: number): Part[] =>
      count === 2
        ? [
            { lint: files("a", 10), context: files("a", 10) },
            { lint: files("b", 10), context: files("b", 10) },
          ]
        : onePackage(count);
    const chosen = autoTypedSplit(4, split);
    expect(chosen.threads).toBe(2);
    expect(chosen.parts?.map((part) => part.lint.length)).toEqual([10, 10]);
  });
});

describe("workerCount stays as documented", () => {
  afterEach(() => vi.restoreAllMocks());
  it("auto on 2 cores is one thread", () => {
    vi.spyOn(os, "availableParallelism").mockReturnValue(2);
    expect(workerCount("auto", 10_000)).toBe(1);
  });
});

describe("describeTimeline (--stats: when each thread started, was ready, was handed its files, finished)", () => {
  it("gives seconds from this thread's start", () => {
    const text = describeTimeline(
      { handed: 1500, done: 4000, cpu: 2500 },
      [{ started: 1100, ready: 1700, handed: 1500, done: 3900 }],
      1000,
    );
    expect(text).toBe(
      "this one linted from 0.50 s to 3.00 s, CPU 2.50 s; worker 1 started 0.10 s, ready 0.70 s, handed its files 0.50 s, done 2.90 s (seconds since this thread started)",
    );
  });
});

describe("threadCpuMs", () => {
  it("gives this thread's CPU time on Linux, and grows as it works", () => {
    const before = threadCpuMs();
    if (process.platform !== "linux") return expect(before).toBeUndefined();
    let spin = 0;
    const until = Date.now() + 60;
    while (Date.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(threadCpuMs()!).toBeGreaterThanOrEqual(before!);
  });
});

describe("preloadFor (what a started part worker loads before the files are known)", () => {
  it("loads the TypeScript side in a JS/TS project and in a folder with neither marker", () => {
    expect(preloadFor(makeTree({ "package.json": "{}" }))).toEqual(["typescript"]);
    expect(preloadFor(makeTree({ "src/a.ts": "" }))).toEqual(["typescript"]);
  });

  it("loads nothing more in a Rust-only project", () => {
    expect(preloadFor(makeTree({ "Cargo.toml": "[package]\n" }))).toEqual([]);
    expect(preloadFor(makeTree({ "Cargo.toml": "[package]\n", "package.json": "{}" }))).toEqual(["typescript"]);
  });
});
