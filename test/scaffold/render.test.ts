import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverTemplates, type Template } from "../../src/scaffold/discover.js";
import { parseManifest } from "../../src/scaffold/manifest.js";
import { listTemplateFiles, outputPathOf, renderConditionalBlocks, renderTemplate, TemplateError } from "../../src/scaffold/render.js";
import { fixturesRoot, tempDir } from "./helpers.js";

const manifest = parseManifest(
  { description: "d", options: { broker: { description: "b", choices: ["memory", "redis"], default: "memory" } } },
  "t.json",
);

describe("conditional blocks", () => {
  const source = [
    "a",
    "// asyncpat-template:if broker=redis",
    "redis line",
    "// asyncpat-template:endif",
    "# asyncpat-template:if broker=memory",
    "memory line",
    "# asyncpat-template:endif",
    "z",
  ].join("\n");

  it("keeps the lines of the block whose value matches and always drops the marker lines", () => {
    expect(renderConditionalBlocks(source, { broker: "redis" }, manifest, "f")).toBe("a\nredis line\nz");
    expect(renderConditionalBlocks(source, { broker: "memory" }, manifest, "f")).toBe("a\nmemory line\nz");
  });

  it("keeps CRLF line endings and text without markers as they are", () => {
    expect(
      renderConditionalBlocks(
        "a\r\n// asyncpat-template:if broker=redis\r\nr\r\n// asyncpat-template:endif\r\nb\r\n",
        { broker: "memory" },
        manifest,
        "f",
      ),
    ).toBe("a\r\nb\r\n");
    expect(renderConditionalBlocks("plain\n", { broker: "memory" }, manifest, "f")).toBe("plain\n");
  });

  it("works in any comment syntax", () => {
    const html = "<!-- asyncpat-template:if broker=redis -->\nR\n<!-- asyncpat-template:endif -->\nX";
    expect(renderConditionalBlocks(html, { broker: "redis" }, manifest, "f")).toBe("R\nX");
  });

  const mistakes: [string, string, RegExp][] = [
    [
      "a nested block",
      "// asyncpat-template:if broker=redis\n// asyncpat-template:if broker=memory\n// asyncpat-template:endif\n// asyncpat-template:endif",
      /f:2: conditional blocks do not nest/,
    ],
    ["an unclosed block", "// asyncpat-template:if broker=redis\nx", /f:1: the conditional block is never closed/],
    ["an endif without if", "x\n// asyncpat-template:endif", /f:2: "asyncpat-template:endif" without a matching if/],
    ["an unknown option", "// asyncpat-template:if brokr=redis\n// asyncpat-template:endif", /f:1: "brokr" is not an option/],
    [
      "an unknown value",
      "// asyncpat-template:if broker=kafka\n// asyncpat-template:endif",
      /f:1: "kafka" is not a value of option "broker"/,
    ],
    [
      "a malformed marker",
      "// asyncpat-template:if broker\n// asyncpat-template:endif",
      /f:1: expected "asyncpat-template:if <option>=<value>"/,
    ],
  ];
  it.each(mistakes)("rejects %s with the file and line", (_shape, text, message) => {
    expect(() => renderConditionalBlocks(text, { broker: "memory" }, manifest, "f")).toThrow(TemplateError);
    expect(() => renderConditionalBlocks(text, { broker: "memory" }, manifest, "f")).toThrow(message);
  });
});

function fixture(lang: string, name: string): Template {
  const template = discoverTemplates(fixturesRoot).templates.find((t) => t.lang === lang && t.name === name);
  if (!template) throw new Error(`fixture ${lang}/${name} missing`);
  return template;
}

const byPath = (files: { path: string; content: Buffer }[]) =>
  Object.fromEntries(files.map((file) => [file.path, file.content.toString("utf8")]));

describe("renderTemplate", () => {
  it("renames _gitignore, skips template.json, applies variants, replace, blocks and the package name (memory)", async () => {
    const files = await renderTemplate(fixture("ts", "demo"), { name: "my-app", values: { broker: "memory", workerThreads: 8 } });
    const out = byPath(files);
    expect(Object.keys(out).sort()).toEqual([".gitignore", "README.md", "package.json", "run.sh", "src/config.js", "src/index.js"]);
    expect(out["src/index.js"]).toBe(
      'import { threads } from "./config.js";\nexport const broker = { kind: "memory", threads };\nconsole.log(broker);\n',
    );
    expect(out["src/config.js"]).toBe("export const threads = 8;\nconst threads = 8;\n");
    expect(out["README.md"]).toBe("# my-app\n\nRun it.\n");
    const pkg = JSON.parse(out["package.json"] as string);
    expect(pkg.name).toBe("my-app");
    expect(pkg.dependencies).toEqual({});
    expect(pkg.devDependencies).toEqual({ typescript: "^5.9.3" });
    expect(files.find((file) => file.path === "run.sh")?.mode).toBe(0o755);
  });

  it("keeps the variant's files and dependencies when the variant does not apply (redis)", async () => {
    const out = byPath(await renderTemplate(fixture("ts", "demo"), { name: "my-app", values: { broker: "redis", workerThreads: 4 } }));
    expect(Object.keys(out)).toEqual(expect.arrayContaining(["src/redis-broker.js", "docs/redis/notes.md"]));
    expect(out["src/index.js"]).toContain("new RedisBroker(threads)");
    expect(out["src/index.js"]).not.toContain("asyncpat-template");
    expect(JSON.parse(out["package.json"] as string).dependencies).toEqual({ ioredis: "^5.4.0" });
  });

  it("sets the asyncpat devDependency to the spec it is given", async () => {
    const dir = await tempDir();
    await cp(path.join(fixturesRoot, "ts", "plain"), path.join(dir, "ts", "plain"), { recursive: true });
    await writeFile(path.join(dir, "ts", "plain", "package.json"), '{ "name": "x", "devDependencies": { "asyncpat": "^0.0.1" } }');
    const template = discoverTemplates(dir).templates[0] as Template;
    const out = byPath(await renderTemplate(template, { name: "p", values: {}, asyncpatSpec: "^1.2.3" }));
    expect(JSON.parse(out["package.json"] as string).devDependencies).toEqual({ asyncpat: "^1.2.3" });
  });

  it("sets a Rust crate name through the manifest's replace", async () => {
    const out = byPath(await renderTemplate(fixture("rust", "svc"), { name: "my-svc", values: { runtime: "current-thread" } }));
    expect(out["Cargo.toml"]).toContain('name = "my-svc"');
    expect(out["src/main.rs"]).toContain('flavor = "current-thread"');
  });

  it("never copies node_modules, dist, target or lock files", async () => {
    const dir = await tempDir();
    await cp(path.join(fixturesRoot, "ts", "demo"), dir, { recursive: true });
    for (const folder of ["node_modules/x", "dist", "target/debug", "src/node_modules"])
      await mkdir(path.join(dir, folder), { recursive: true });
    for (const file of [
      "node_modules/x/index.js",
      "dist/index.js",
      "target/debug/app",
      "src/node_modules/y.js",
      "package-lock.json",
      "Cargo.lock",
    ]) {
      await writeFile(path.join(dir, file), "x");
    }
    const files = await listTemplateFiles(dir);
    expect(files).toEqual([
      "README.md",
      "_gitignore",
      "docs/redis/notes.md",
      "package.json",
      "run.sh",
      "src/config.js",
      "src/index.js",
      "src/redis-broker.js",
    ]);
  });

  it("refuses a template holding a symbolic link", async () => {
    const dir = await tempDir();
    await cp(path.join(fixturesRoot, "ts", "plain"), dir, { recursive: true });
    await symlink("/etc/passwd", path.join(dir, "passwd"));
    await expect(listTemplateFiles(dir)).rejects.toThrow(/is a symbolic link/);
  });

  it("fails when a replace's search text is not in its file", async () => {
    const dir = await tempDir();
    const root = path.join(dir, "templates");
    await cp(path.join(fixturesRoot, "rust", "svc"), path.join(root, "rust", "svc"), { recursive: true });
    await writeFile(path.join(root, "rust", "svc", "Cargo.toml"), '[package]\nname = "renamed"\n');
    const template = discoverTemplates(root).templates[0] as Template;
    await expect(renderTemplate(template, { name: "x", values: { runtime: "multi-thread" } })).rejects.toThrow(
      /templates\/rust\/svc\/Cargo\.toml: the replace search text "name = \\"asyncpat-svc\\"" from template\.json does not occur/,
    );
  });

  it("maps stored names to written names", () => {
    expect(outputPathOf("_gitignore")).toBe(".gitignore");
    expect(outputPathOf("sub/_npmrc")).toBe("sub/.npmrc");
    expect(outputPathOf("src/_other.ts")).toBe("src/_other.ts");
  });
});

describe("discovery", () => {
  it("finds <lang>/<name>/template.json and skips folders starting with _", () => {
    const catalog = discoverTemplates(fixturesRoot);
    expect(catalog.templates.map((t) => `${t.lang}/${t.name}`)).toEqual(["rust/svc", "ts/demo", "ts/plain"]);
    expect(catalog.broken).toEqual([]);
  });

  it("reports a broken manifest without hiding the others", async () => {
    const dir = await tempDir();
    await cp(path.join(fixturesRoot, "ts", "plain"), path.join(dir, "ts", "plain"), { recursive: true });
    await mkdir(path.join(dir, "ts", "bad"), { recursive: true });
    await writeFile(path.join(dir, "ts", "bad", "template.json"), "{ nope");
    const catalog = discoverTemplates(dir);
    expect(catalog.templates.map((t) => t.name)).toEqual(["plain"]);
    expect(catalog.broken[0]?.problem).toMatch(/bad\/template\.json: not valid JSON/);
  });
});

/** Every value combination worth rendering: all choices, and an integer's default and bounds. */
function combinations(template: Template): Record<string, string | number>[] {
  let combos: Record<string, string | number>[] = [{}];
  for (const option of template.manifest.options) {
    const values =
      option.kind === "choice"
        ? option.choices
        : [...new Set([option.default, option.min ?? option.default, option.max ?? option.default])];
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [option.key]: value })));
  }
  return combos;
}

describe("the real templates in templates/", () => {
  const catalog = discoverTemplates();

  it("all have valid manifests", () => {
    expect(catalog.broken.map((t) => t.problem)).toEqual([]);
  });

  const replaces = catalog.templates.flatMap((template) =>
    template.manifest.replace.flatMap((replacement, index) =>
      replacement.files.map((file) => ({
        id: `${template.lang}/${template.name} replace[${index}] in ${file}`,
        template,
        file,
        search: replacement.search,
      })),
    ),
  );
  it.each(replaces)("$id matches its file", async ({ template, file, search }) => {
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(path.join(template.dir, file), "utf8");
    expect(text.includes(search), `"${search}" not found in templates/${template.lang}/${template.name}/${file}`).toBe(true);
  });

  const renders = catalog.templates.flatMap((template) =>
    combinations(template).map((values) => ({ id: `${template.lang}/${template.name} ${JSON.stringify(values)}`, template, values })),
  );
  it.each(renders)("$id renders with no marker left", async ({ template, values }) => {
    const files = await renderTemplate(template, { name: "rendered-check", values });
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file.content.toString("utf8"), file.path).not.toContain("asyncpat-template:");
    const pkg = files.find((file) => file.path === "package.json");
    if (template.lang === "ts") expect(JSON.parse(pkg?.content.toString("utf8") ?? "{}").name).toBe("rendered-check");
  });
});
