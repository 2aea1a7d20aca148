import { describe, expect, it } from "vitest";
import { discoverTemplates } from "../../src/scaffold/discover.js";
import { templateOptionFlags } from "../../src/scaffold/flags.js";
import { fixturesRoot } from "./helpers.js";

describe("templateOptionFlags", () => {
  it("registers the union of all templates' options as kebab-case flags, naming their templates", () => {
    const flags = templateOptionFlags(discoverTemplates(fixturesRoot));
    expect(flags).toEqual([
      {
        key: "runtime",
        flag: "runtime",
        description: "Tokio runtime flavour: multi-thread|current-thread, default multi-thread [svc (rust)]",
      },
      { key: "broker", flag: "broker", description: "where messages travel: memory|redis, default memory [demo (ts)]" },
      { key: "workerThreads", flag: "worker-threads", description: "worker threads: integer 1..64, default 4 [demo (ts)]" },
    ]);
  });
});
