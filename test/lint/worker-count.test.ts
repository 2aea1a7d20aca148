import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { workerCount } from "../../src/lint/parallel.js";
import { extraThreads } from "../../src/lint/part-pool.js";

describe("workerCount", () => {
  afterEach(() => vi.restoreAllMocks());

  it("auto uses half the cores, so a 2-core machine keeps one thread", () => {
    vi.spyOn(os, "availableParallelism").mockReturnValue(2);
    expect(workerCount("auto", 5000)).toBe(1);
    vi.spyOn(os, "availableParallelism").mockReturnValue(8);
    expect(workerCount("auto", 5000)).toBe(4);
  });

  it("auto starts no more threads than one per 100 files", () => {
    vi.spyOn(os, "availableParallelism").mockReturnValue(16);
    expect(workerCount("auto", 250)).toBe(2);
    expect(workerCount("auto", 40)).toBe(1);
  });

  it("off and an unset flag mean one thread; a number is obeyed", () => {
    expect(workerCount("off", 5000)).toBe(1);
    expect(workerCount(undefined, 5000)).toBe(1);
    expect(workerCount(3, 10)).toBe(3);
  });
});

describe("extraThreads (the part workers started before the files are found)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("starts none for auto on 2 cores, where auto lints in one thread", () => {
    vi.spyOn(os, "availableParallelism").mockReturnValue(2);
    expect(extraThreads("auto")).toBe(0);
  });

  it("starts as many as auto may use at most, besides this thread", () => {
    vi.spyOn(os, "availableParallelism").mockReturnValue(8);
    expect(extraThreads("auto")).toBe(3);
    expect(workerCount("auto", 5000) - 1).toBe(extraThreads("auto"));
  });

  it("starts one fewer than an explicit number, and none for off or no flag", () => {
    expect(extraThreads(3)).toBe(2);
    expect(extraThreads("off")).toBe(0);
    expect(extraThreads(undefined)).toBe(0);
  });
});
