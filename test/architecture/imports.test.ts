/**
 * Imports run one way: bin → cli → commands → { rules, lsp → lint, scaffold }, integrations (the ESLint
 * plugin) → { rules, lint }, rules → src/lint/api.ts (Rust implementations: its TypeScript-free part, rust-api.ts) only, and nothing imports upwards. Type-only imports count: they tie the files together all the
 * same. The graph is read from the sources themselves, so a new edge fails here naming the file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

type Layer = "cli" | "commands" | "integrations" | "rules" | "lint" | "lsp" | "scaffold" | "base";

function layerOf(file: string): Layer {
  if (file === "src/cli.ts") return "cli";
  if (file.startsWith("src/commands/")) return "commands";
  if (file.startsWith("src/integrations/")) return "integrations";
  if (file.startsWith("rules/")) return "rules";
  if (file.startsWith("src/lint/")) return "lint";
  if (file.startsWith("src/lsp/")) return "lsp";
  if (file.startsWith("src/scaffold/")) return "scaffold";
  if (file === "src/errors.ts" || file === "src/version.ts") return "base";
  throw new Error(`${file} belongs to no layer: add it to test/architecture/imports.test.ts`);
}

/** Which layers each layer may import (its own included where listed). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  cli: ["commands", "base"],
  commands: ["commands", "rules", "lint", "lsp", "scaffold", "base"],
  // entry points other tools load (the ESLint plugin): beside the CLI, never imported by it
  integrations: ["integrations", "rules", "lint", "base"],
  rules: ["rules", "lint"],
  lint: ["lint", "base"],
  lsp: ["lsp", "lint", "base"],
  scaffold: ["scaffold", "base"],
  base: ["base"],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir))) {
    const relative = `${dir}/${entry}`;
    if (statSync(path.join(root, relative)).isDirectory()) out.push(...sourceFiles(relative));
    else if (entry.endsWith(".ts")) out.push(relative);
  }
  return out;
}

/** Every module specifier a file names: static imports and exports (type-only too) and `import()`. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(root, file), "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, ".ts");
  return target;
}

const files = [...sourceFiles("src"), ...sourceFiles("rules")];
const edges = new Map<string, string[]>(
  files.map((file) => [
    file,
    specifiers(file)
      .map((spec) => resolve(file, spec))
      .filter((t): t is string => t !== undefined),
  ]),
);

/** Elementary cycles are many; one cycle per strongly connected component names the problem. */
function findCycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (edges.get(file) ?? []).includes(file)) components.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return components;
}

describe("import direction", () => {
  it("reads a graph of the whole tree", () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...edges.values()].flat().length).toBeGreaterThan(100);
  });

  it("every relative import names a file that exists", () => {
    const missing = [...edges].flatMap(([from, targets]) =>
      targets.filter((target) => !files.includes(target)).map((target) => `${from} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it("has no import cycle (type-only imports included)", () => {
    expect(findCycles().map((cycle) => cycle.join(" ⇄ "))).toEqual([]);
  });

  it("has no upward or sideways edge between layers", () => {
    const wrong = [...edges].flatMap(([from, targets]) =>
      targets
        .filter((target) => files.includes(target) && !ALLOWED[layerOf(from)].includes(layerOf(target)))
        .map((target) => `${from} (${layerOf(from)}) → ${target} (${layerOf(target)})`),
    );
    expect(wrong).toEqual([]);
  });

  it("rules import the engine only through src/lint/api.ts (or its TypeScript-free part), and other rules only through their own folder", () => {
    // the indexes: every rule (index.ts), or one language's implementations (typescript.ts, rust.ts)
    const indexes: Record<string, RegExp> = {
      "rules/index.ts": /^rules\/[a-z-]+\/index\.ts$/,
      "rules/typescript.ts": /^rules\/[a-z-]+\/typescript\.ts$/,
      "rules/rust.ts": /^rules\/[a-z-]+\/rust\.ts$/,
    };
    const wrong = [...edges].flatMap(([from, targets]) => {
      if (!from.startsWith("rules/")) return [];
      return targets
        .filter((target) => {
          if (target.startsWith("src/")) return target !== "src/lint/api.ts" && target !== "src/lint/rust-api.ts";
          if (indexes[from]) return !indexes[from].test(target);
          return path.posix.dirname(target) !== path.posix.dirname(from);
        })
        .map((target) => `${from} → ${target}`);
    });
    expect(wrong).toEqual([]);
  });

  it("Rust implementations import the TypeScript-free rule API, never the barrel that loads ts-morph", () => {
    const wrong = [...edges].flatMap(([from, targets]) =>
      /^rules\/([a-z-]+\/rust[a-z-]*|rust)\.ts$/.test(from)
        ? targets.filter((target) => target === "src/lint/api.ts").map((target) => `${from} → ${target}`)
        : [],
    );
    expect(wrong).toEqual([]);
  });

  it("nothing in the engine imports the rule API barrel, and the language backends do not import each other", () => {
    const wrong = [...edges].flatMap(([from, targets]) => {
      if (!from.startsWith("src/lint/")) return [];
      return targets
        .filter(
          (target) =>
            target === "src/lint/api.ts" ||
            (target === "src/lint/rust-api.ts" && from !== "src/lint/api.ts") ||
            (from.startsWith("src/lint/typescript/") && target.startsWith("src/lint/rust/")) ||
            (from.startsWith("src/lint/rust/") && target.startsWith("src/lint/typescript/")),
        )
        .map((target) => `${from} → ${target}`);
    });
    expect(wrong).toEqual([]);
  });

  it("only src/lint/typescript/compiler.ts loads ts-morph at run time: everything else takes `ts` from #compiler", () => {
    const wrong = files.filter((file) => {
      if (file === "src/lint/typescript/compiler.ts" || file.endsWith(".d.ts")) return false;
      const source = ts.createSourceFile(file, readFileSync(path.join(root, file), "utf8"), ts.ScriptTarget.Latest, true);
      return source.statements.some((statement) => {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return false;
        if (statement.moduleSpecifier.text !== "ts-morph") return false;
        const clause = statement.importClause;
        if (!clause || clause.isTypeOnly) return !clause;
        const bindings = clause.namedBindings;
        const namedTypesOnly = bindings && ts.isNamedImports(bindings) && bindings.elements.every((element) => element.isTypeOnly);
        return clause.name !== undefined || !namedTypesOnly;
      });
    });
    expect(wrong).toEqual([]);
  });

  it("the scaffolder never imports the lint engine (`new` must not load ts-morph)", () => {
    const wrong = [...edges].flatMap(([from, targets]) =>
      from.startsWith("src/scaffold/") ? targets.filter((target) => target.startsWith("src/lint/")) : [],
    );
    expect(wrong).toEqual([]);
  });
});
