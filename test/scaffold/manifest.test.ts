import { describe, expect, it } from "vitest";
import { checkOptionValue, fillPlaceholders, ManifestError, optionFlag, parseManifest } from "../../src/scaffold/manifest.js";

const valid = {
  description: "demo",
  options: {
    broker: { description: "where messages travel", choices: ["memory", "redis"], default: "memory" },
    workerThreads: { description: "threads", type: "integer", default: 4, min: 1, max: 512 },
  },
  variants: [{ when: { broker: "memory" }, exclude: ["src/redis.ts"], removeDependencies: ["ioredis"] }],
  replace: [{ files: ["src/main.rs"], search: "worker_threads = 4", replace: "worker_threads = {{workerThreads}}" }],
  nextSteps: { test: "npm test" },
};

describe("parseManifest", () => {
  it("normalises a manifest that follows docs/template-format.md", () => {
    const manifest = parseManifest(valid, "t.json");
    expect(manifest.options).toEqual([
      {
        kind: "choice",
        key: "broker",
        flag: "broker",
        description: "where messages travel",
        choices: ["memory", "redis"],
        default: "memory",
      },
      { kind: "integer", key: "workerThreads", flag: "worker-threads", description: "threads", default: 4, min: 1, max: 512 },
    ]);
    expect(manifest.variants[0]).toEqual({ when: { broker: "memory" }, exclude: ["src/redis.ts"], removeDependencies: ["ioredis"] });
    expect(manifest.nextSteps).toEqual({ test: "npm test" });
  });

  it("accepts a manifest with only a description", () => {
    expect(parseManifest({ description: "x" }, "t.json")).toEqual({
      description: "x",
      options: [],
      variants: [],
      replace: [],
      nextSteps: undefined,
      shared: [],
    });
  });

  const broken: [string, unknown, RegExp][] = [
    ["no description", { options: {} }, /"description" must be a non-empty string/],
    ["a typo in a top-level key", { description: "x", option: {} }, /"option" is not a manifest key/],
    [
      "shared primitives that are not a list of kebab-case names",
      { description: "x", shared: ["Semaphore"] },
      /"shared" must be a list of distinct primitive names/,
    ],
    [
      "a shared primitive listed twice",
      { description: "x", shared: ["channel", "channel"] },
      /"shared" must be a list of distinct primitive names/,
    ],
    [
      "a default outside the choices",
      { description: "x", options: { b: { description: "d", choices: ["a"], default: "z" } } },
      /options\.b"\.default must be one of its choices/,
    ],
    ["a missing default", { description: "x", options: { b: { description: "d", choices: ["a"] } } }, /"options.b".default is required/],
    [
      "an option with neither choices nor type",
      { description: "x", options: { b: { description: "d", default: 1 } } },
      /needs either "choices"/,
    ],
    [
      "an integer default out of range",
      { description: "x", options: { n: { description: "d", type: "integer", default: 0, min: 1 } } },
      /must lie between/,
    ],
    [
      "an option shadowing a built-in flag",
      { description: "x", options: { force: { description: "d", choices: ["a"], default: "a" } } },
      /clashes with the built-in flag --force/,
    ],
    [
      "a kebab-case option key",
      { description: "x", options: { "worker-threads": { description: "d", type: "integer", default: 1 } } },
      /camelCase/,
    ],
    [
      "a variant on an unknown option",
      { description: "x", variants: [{ when: { broker: "redis" } }] },
      /"variants\[0\]".when.broker names no option/,
    ],
    ["a variant on an unknown value", { ...valid, variants: [{ when: { broker: "kafka" } }] }, /must be one of: memory, redis/],
    [
      "a replace placeholder naming no option",
      { description: "x", replace: [{ files: ["a"], search: "a", replace: "{{nope}}" }] },
      /uses \{\{nope\}\}/,
    ],
    [
      "a replace without files",
      { description: "x", replace: [{ files: [], search: "a", replace: "b" }] },
      /"replace\[0\]".files must be a non-empty array/,
    ],
    ["an empty nextSteps command", { description: "x", nextSteps: { test: "" } }, /nextSteps\.test" must be a non-empty command/],
  ];
  it.each(broken)("rejects %s, naming the file and the key", (_shape, raw, message) => {
    expect(() => parseManifest(raw, "templates/ts/x/template.json")).toThrow(ManifestError);
    expect(() => parseManifest(raw, "templates/ts/x/template.json")).toThrow(message);
    expect(() => parseManifest(raw, "templates/ts/x/template.json")).toThrow(/^templates\/ts\/x\/template\.json: /);
  });
});

describe("options", () => {
  const [broker, threads] = parseManifest(valid, "t.json").options as [never, never];
  it("maps camelCase keys to kebab-case flags", () => {
    expect(optionFlag("workerThreads")).toBe("worker-threads");
    expect(optionFlag("broker")).toBe("broker");
  });
  it("checks values given on the command line", () => {
    expect(checkOptionValue(broker, "redis")).toBeUndefined();
    expect(checkOptionValue(broker, "kafka")).toBe("must be one of: memory, redis");
    expect(checkOptionValue(threads, "8")).toBeUndefined();
    expect(checkOptionValue(threads, "eight")).toBe("must be an integer");
    expect(checkOptionValue(threads, "1.5")).toBe("must be an integer");
    expect(checkOptionValue(threads, "0")).toBe("must be at least 1");
    expect(checkOptionValue(threads, "513")).toBe("must be at most 512");
  });
  it("fills {{name}} and option placeholders", () => {
    expect(fillPlaceholders('name = "{{name}}" threads={{ workerThreads }}', "svc", { workerThreads: 8 })).toBe('name = "svc" threads=8');
  });
});
