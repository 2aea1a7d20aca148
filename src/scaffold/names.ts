import { builtinModules } from "node:module";
import path from "node:path";

const NPM_BLOCKED = new Set(["node_modules", "favicon.ico"]);
const NODE_BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, "")));

/**
 * npm's package-name rules (as in validate-npm-package-name, for new packages): the reasons the
 * name is refused, empty when it is valid.
 */
export function npmNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ["it is empty"];
  if (name.trim() !== name) problems.push("it has leading or trailing spaces");
  if (name.length > 214) problems.push("it is longer than 214 characters");
  if (name.startsWith(".")) problems.push('it starts with "."');
  if (name.startsWith("_")) problems.push('it starts with "_"');
  if (name.toLowerCase() !== name) problems.push("it has uppercase letters");
  if (/[~'!()*]/.test(name.split("/").pop() ?? "")) problems.push("it has one of the characters ~ ' ! ( ) *");
  if (NPM_BLOCKED.has(name.toLowerCase())) problems.push(`"${name}" is a reserved name`);
  if (NODE_BUILTINS.has(name)) problems.push(`"${name}" is a Node.js core module`);

  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (scoped) {
    const [, scope, pkg] = scoped as unknown as [string, string, string];
    if (encodeURIComponent(scope) !== scope || encodeURIComponent(pkg) !== pkg) {
      problems.push("it has characters that are not URL-safe");
    }
    if (pkg.startsWith(".") || pkg.startsWith("_")) problems.push('the name after the scope starts with "." or "_"');
  } else if (encodeURIComponent(name) !== name) {
    problems.push(name.includes("/") ? 'only a scoped name ("@scope/name") may contain "/"' : "it has characters that are not URL-safe");
  }
  return problems;
}

const RUST_KEYWORDS = new Set(
  (
    "as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub " +
    "ref return self Self static struct super trait true type unsafe use where while abstract become box do final gen macro " +
    "override priv try typeof unsized virtual yield"
  ).split(" "),
);
// Names cargo refuses because they clash with the standard crates or with Windows device files.
const CARGO_RESERVED = new Set([
  "std",
  "core",
  "alloc",
  "test",
  "proc_macro",
  "proc-macro",
  "con",
  "prn",
  "aux",
  "nul",
  "com1",
  "com2",
  "com3",
  "com4",
  "com5",
  "com6",
  "com7",
  "com8",
  "com9",
  "lpt1",
  "lpt2",
  "lpt3",
  "lpt4",
  "lpt5",
  "lpt6",
  "lpt7",
  "lpt8",
  "lpt9",
]);

/** Cargo's package-name rules (crates.io flavour): the reasons the name is refused. */
export function crateNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ["it is empty"];
  if (!/^[A-Za-z0-9_-]+$/.test(name)) problems.push('a crate name may only hold letters, digits, "-" and "_"');
  if (/^[0-9]/.test(name)) problems.push("a crate name cannot start with a digit");
  if (name.length > 64) problems.push("a crate name is at most 64 characters");
  const snake = name.replace(/-/g, "_");
  if (RUST_KEYWORDS.has(snake)) problems.push(`"${name}" is a Rust keyword`);
  if (CARGO_RESERVED.has(name.toLowerCase())) problems.push(`"${name}" is reserved by cargo`);
  return problems;
}

/** Every rule the package name must follow for this language: npm's always, cargo's too for Rust. */
export function packageNameProblems(name: string, lang: string): string[] {
  const problems = npmNameProblems(name);
  if (lang === "rust") problems.push(...crateNameProblems(name));
  return problems;
}

/**
 * A package name made from a folder name (`My Service` → `my-service`), or `undefined` when nothing
 * usable is left.
 */
export function derivePackageName(directory: string): string | undefined {
  const base = path.basename(path.resolve(directory));
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "")
    .replace(/-+/g, "-")
    .replace(/[-.]+$/, "")
    .slice(0, 214);
  return name === "" ? undefined : name;
}

/** The reasons a target directory argument is refused, empty when it is usable. */
export function directoryProblems(directory: string): string[] {
  if (directory.trim() === "") return ["it is empty"];
  if (directory.includes("\0")) return ["it contains a NUL character"];
  return [];
}
