import { Parser, type Node } from "web-tree-sitter";
import { packageKeyOf } from "../file-roles.js";
import type { RustRuleContext } from "./rule.js";

type RustProgram = RustRuleContext<unknown>["program"];

/** `tokio :: sync :: mpsc` and `mpsc::unbounded_channel::<T>` as plain `a::b::c` text, generics dropped. */
export function rustPathText(node: Node): string {
  return node.text.replace(/::<[^()]*>$/, "").replace(/\s+/g, "");
}

const USE_MAPS = new WeakMap<Node, ReadonlyMap<string, string>>();

/**
 * Local name → full path, from the file's `use` declarations (`use tokio::sync::{mpsc, Mutex as M};`).
 * Every rule asks for the same root's map, so it is built once per file.
 */
export function rustUseMap(root: Node): ReadonlyMap<string, string> {
  let map = USE_MAPS.get(root);
  if (!map) USE_MAPS.set(root, (map = buildUseMap(root)));
  return map;
}

function buildUseMap(root: Node): Map<string, string> {
  const map = new Map<string, string>();
  const visit = (node: Node, prefix: string) => {
    switch (node.type) {
      case "scoped_identifier":
      case "identifier":
      case "crate":
      case "self":
      case "super": {
        const full = prefix ? `${prefix}::${rustPathText(node)}` : rustPathText(node);
        const last = full.split("::").pop()!;
        if (last === "self") {
          const parent = full.split("::").slice(0, -1);
          map.set(parent[parent.length - 1]!, parent.join("::"));
        } else {
          map.set(last, full);
        }
        break;
      }
      case "use_as_clause": {
        const path = node.childForFieldName("path");
        const alias = node.childForFieldName("alias");
        if (path && alias) map.set(alias.text, prefix ? `${prefix}::${rustPathText(path)}` : rustPathText(path));
        break;
      }
      case "scoped_use_list": {
        const path = node.childForFieldName("path");
        const list = node.childForFieldName("list");
        const next = path ? (prefix ? `${prefix}::${rustPathText(path)}` : rustPathText(path)) : prefix;
        if (list) for (const child of list.namedChildren) if (child) visit(child, next);
        break;
      }
      case "use_list":
        for (const child of node.namedChildren) if (child) visit(child, prefix);
        break;
      default:
        break;
    }
  };
  for (const declaration of root.descendantsOfType("use_declaration")) {
    const argument = declaration?.childForFieldName("argument");
    if (argument) visit(argument, "");
  }
  return map;
}

/** Expands the first segment of a path through the file's `use` map: `mpsc::channel` → `tokio::sync::mpsc::channel`. */
export function resolveRustPath(path: string, uses: ReadonlyMap<string, string>): string {
  const [first, ...rest] = path.split("::");
  const expanded = first !== undefined ? uses.get(first) : undefined;
  return expanded ? [expanded, ...rest].join("::") : path;
}

/** The function a call expression calls: a path for `a::b(…)`, a method name for `x.m(…)`. */
export function rustCallee(call: Node): { path?: string; method?: string; receiver?: Node } {
  let fn = call.childForFieldName("function");
  if (!fn) return {};
  if (fn.type === "generic_function") fn = fn.childForFieldName("function") ?? fn;
  if (fn.type === "field_expression") {
    const field = fn.childForFieldName("field");
    return { method: field?.text, receiver: fn.childForFieldName("value") ?? undefined };
  }
  if (fn.type === "identifier" || fn.type === "scoped_identifier") return { path: rustPathText(fn) };
  return {};
}

/** True when the function or block is `async`. */
export function isRustAsync(node: Node): boolean {
  if (node.type === "async_block") return true;
  if (node.type === "function_item" || node.type === "closure_expression") {
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === "function_modifiers" && child.text.split(/\s+/).includes("async")) return true;
      if (child.type === "async") return true;
    }
  }
  return false;
}

/**
 * The nearest enclosing body that decides whether code runs on the async executor: an `async fn`,
 * an `async` block or closure (returned), or a plain `fn`/closure (undefined: not async context).
 */
export function enclosingRustAsync(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "async_block") return current;
    if (current.type === "function_item" || current.type === "closure_expression") {
      return isRustAsync(current) ? current : undefined;
    }
  }
  return undefined;
}

/** Ancestors up to (not including) `stop`, nearest first. */
export function* rustAncestors(node: Node, stop?: Node): Generator<Node> {
  for (let current = node.parent; current && !(stop && current.equals(stop)); current = current.parent) yield current;
}

/** Pre-order iteration over a subtree without recursion. */
export function* rustDescendants(root: Node): Generator<Node> {
  const cursor = root.walk();
  try {
    for (;;) {
      yield cursor.currentNode;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || cursor.currentNode.equals(root)) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The `#[…]` attributes written just before an item (`#[tokio::test]`, `#[cfg(test)]`). */
export function rustAttributes(item: Node): Node[] {
  const attributes: Node[] = [];
  for (let sibling = item.previousNamedSibling; sibling; sibling = sibling.previousNamedSibling) {
    if (sibling.type === "attribute_item") attributes.push(sibling);
    else if (sibling.type !== "line_comment" && sibling.type !== "block_comment") break;
  }
  return attributes;
}

/**
 * `#[cfg(test)]`, `#[cfg(all(test, not(loom)))]`, `#[cfg(any(test, fuzzing))]`: compiled for tests
 * (`test` appears outside every `not(…)`); `#[cfg(not(test))]` is not.
 */
function isCfgTestAttribute(text: string): boolean {
  const match = /^#\[cfg\((.*)\)\]$/.exec(text);
  if (!match) return false;
  let predicate = match[1]!;
  for (let previous = ""; previous !== predicate;) {
    previous = predicate;
    predicate = predicate.replace(/not\([^()]*\)/g, "");
  }
  return /(^|[(,])test([),]|$)/.test(predicate);
}

/**
 * A test function's attribute: `#[test]`, `#[tokio::test]`, `#[tokio::test(flavor = "multi_thread")]`,
 * and test macros named so (`#[async_std::test]`, `#[wasm_bindgen_test]`, tokio's own
 * `#[maybe_tokio_test]` alias, `#[test_case(…)]`, `#[rstest]`).
 */
const TEST_ATTRIBUTE = /^#\[([\w:]+::)?(\w+_)?(test|test_case|rstest)(\(.*\))?\]$/s;

/** True inside a `#[test]`/`#[tokio::test]` function or a `#[cfg(test)]` module, function or impl. */
export function isRustTestCode(node: Node): boolean {
  for (let current: Node | null = node; current; current = current.parent) {
    if (current.type !== "function_item" && current.type !== "mod_item" && current.type !== "impl_item") continue;
    for (const attribute of rustAttributes(current)) {
      const text = attribute.text.replace(/\s+/g, "");
      if (isCfgTestAttribute(text) || (current.type === "function_item" && TEST_ATTRIBUTE.test(text))) return true;
    }
  }
  return false;
}

const TEST_MODULE_FILES = new WeakMap<RustProgram, { texts: Map<string, string>; verdicts: Map<string, boolean> }>();

/**
 * True when the file is a module its parent declares under `#[cfg(test)]` (`#[cfg(test)] mod tests;`
 * in lib.rs makes src/tests.rs test code), directly or through a test module above it. The parent is
 * looked for among the run's files: `dir/mod.rs`, `dir/lib.rs`, `dir/main.rs` or `dir.rs` for
 * `dir/name.rs` (and for `dir/name/mod.rs`). Text only: `#[path]` attributes are not followed.
 */
export function isRustTestModuleFile(filePath: string, program: RustProgram): boolean {
  let cache = TEST_MODULE_FILES.get(program);
  if (!cache) {
    cache = { texts: new Map(program.files.map((file) => [file.path.replace(/\\/g, "/"), file.text])), verdicts: new Map() };
    TEST_MODULE_FILES.set(program, cache);
  }
  const { texts, verdicts } = cache;
  const check = (file: string, depth: number): boolean => {
    const known = verdicts.get(file);
    if (known !== undefined) return known;
    verdicts.set(file, false);
    let result = false;
    const parts = file.split("/");
    let name = parts.pop()!.replace(/\.rs$/, "");
    let dir = parts.join("/");
    if (name === "mod") {
      name = parts.pop() ?? "";
      dir = parts.join("/");
    }
    if (depth < 8 && /^\w+$/.test(name) && name !== "lib" && name !== "main") {
      const prefix = dir ? `${dir}/` : "";
      const parents = [`${prefix}mod.rs`, `${prefix}lib.rs`, `${prefix}main.rs`];
      if (dir) parents.push(`${dir}.rs`);
      const declaration = new RegExp(`((?:#\\[[^\\]]*\\]\\s*)*)(?:pub(?:\\([^)]*\\))?\\s+)?\\bmod\\s+${name}\\s*;`, "g");
      for (const parent of parents) {
        const text = texts.get(parent);
        if (text === undefined || parent === file) continue;
        for (const match of text.matchAll(declaration)) {
          const attributes = match[1]!.match(/#\[[^\]]*\]/g) ?? [];
          result ||= attributes.some((attribute) => isCfgTestAttribute(attribute.replace(/\s+/g, ""))) || check(parent, depth + 1);
        }
        if (result) break;
      }
    }
    verdicts.set(file, result);
    return result;
  };
  return check(filePath.replace(/\\/g, "/"), 0);
}

/** Test code by attribute: inside a `#[test]` function or `#[cfg(test)]` module, or in a file that is a `#[cfg(test)]` module. */
export function isRustTestContext(node: Node, filePath: string, program: RustProgram): boolean {
  return isRustTestCode(node) || isRustTestModuleFile(filePath, program);
}

/** The identifiers a pattern binds (`x`, `mut x`, `(a, b)`, `Ok(g)`, `S { a, b: c }`), not its paths. */
export function rustPatternNames(pattern: Node): Node[] {
  if (pattern.type === "identifier") return [pattern];
  const names: Node[] = [];
  for (const node of rustDescendants(pattern)) {
    if (node.type !== "identifier" && node.type !== "shorthand_field_identifier") continue;
    const parent = node.parent;
    if (!parent) continue;
    // `Ok` in `Ok(g)`, `Some` in `Some(x)`, paths in struct patterns.
    if (parent.type === "tuple_struct_pattern" && parent.childForFieldName("type")?.equals(node)) continue;
    if (parent.type === "scoped_identifier") continue;
    names.push(node);
  }
  return names;
}

export type RustBinding =
  | { kind: "let"; declaration: Node; pattern: Node; name: Node; value?: Node; type?: Node }
  | { kind: "parameter"; declaration: Node; name: Node; type?: Node }
  | { kind: "pattern"; declaration: Node; name: Node; value?: Node };

/**
 * The binding of `name` that `at` sees: the nearest earlier `let` of an enclosing block, a pattern of
 * an enclosing `if let`/`while let`/`for`/match arm, or a parameter of the enclosing function or
 * closures. Syntax only: no type inference, no macros.
 */
export function findRustBinding(at: Node, name: string): RustBinding | undefined {
  let child: Node = at;
  for (let current = at.parent; current; child = current, current = current.parent) {
    switch (current.type) {
      case "block": {
        const statements = current.namedChildren;
        for (let index = statements.length - 1; index >= 0; index--) {
          const statement = statements[index];
          if (!statement || statement.startIndex >= child.startIndex) continue;
          if (statement.type !== "let_declaration") continue;
          const pattern = statement.childForFieldName("pattern");
          const bound = pattern && rustPatternNames(pattern).find((node) => node.text === name);
          if (pattern && bound) {
            return {
              kind: "let",
              declaration: statement,
              pattern,
              name: bound,
              value: statement.childForFieldName("value") ?? undefined,
              type: statement.childForFieldName("type") ?? undefined,
            };
          }
        }
        break;
      }
      case "if_expression":
      case "while_expression": {
        const condition = current.childForFieldName("condition");
        if (!condition || condition.equals(child)) break;
        for (const node of rustDescendants(condition)) {
          if (node.type !== "let_condition") continue;
          const pattern = node.childForFieldName("pattern");
          const bound = pattern && rustPatternNames(pattern).find((candidate) => candidate.text === name);
          if (bound) return { kind: "pattern", declaration: node, name: bound, value: node.childForFieldName("value") ?? undefined };
        }
        break;
      }
      case "for_expression": {
        const pattern = current.childForFieldName("pattern");
        const bound = pattern && !pattern.equals(child) && rustPatternNames(pattern).find((node) => node.text === name);
        if (bound) return { kind: "pattern", declaration: current, name: bound, value: current.childForFieldName("value") ?? undefined };
        break;
      }
      case "match_arm": {
        const pattern = current.childForFieldName("pattern");
        const bound = pattern && !pattern.equals(child) && rustPatternNames(pattern).find((node) => node.text === name);
        const match = current.parent?.parent;
        if (bound) return { kind: "pattern", declaration: current, name: bound, value: match?.childForFieldName("value") ?? undefined };
        break;
      }
      case "closure_expression":
      case "function_item": {
        const parameters = current.childForFieldName("parameters");
        for (const parameter of parameters?.namedChildren ?? []) {
          if (!parameter) continue;
          const pattern = parameter.type === "parameter" ? parameter.childForFieldName("pattern") : parameter;
          const bound = pattern && rustPatternNames(pattern).find((node) => node.text === name);
          if (bound)
            return { kind: "parameter", declaration: parameter, name: bound, type: parameter.childForFieldName("type") ?? undefined };
        }
        if (current.type === "function_item") return undefined;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** The types declared for a struct field of this name anywhere in the file (`stream: TcpStream`). */
export function rustFieldTypes(root: Node, field: string): Node[] {
  const types: Node[] = [];
  for (const declaration of root.descendantsOfType("field_declaration")) {
    if (declaration?.childForFieldName("name")?.text !== field) continue;
    const type = declaration.childForFieldName("type");
    if (type) types.push(type);
  }
  return types;
}

/** `x`, `(x)`, `&x`, `&mut x`, `*x` → `x`. */
export function rustStripReferences(node: Node): Node {
  let current = node;
  for (;;) {
    if (
      current.type === "parenthesized_expression" ||
      current.type === "reference_expression" ||
      (current.type === "unary_expression" && current.text.startsWith("*"))
    ) {
      const inner = current.type === "reference_expression" ? current.childForFieldName("value") : current.namedChildren[0];
      if (!inner) return current;
      current = inner;
      continue;
    }
    return current;
  }
}

/** `AsyncReadExt`/`AsyncWriteExt`/`AsyncBufReadExt` methods that wait on a stream's peer (reads, writes, flushes). */
export const RUST_STREAM_IO_METHODS: ReadonlySet<string> = new Set([
  "read",
  "read_exact",
  "read_line",
  "read_until",
  "read_to_end",
  "read_to_string",
  "read_buf",
  "write",
  "write_all",
  "write_buf",
  "write_all_buf",
  "flush",
]);

/** Calls that run the closure they are given off the async runtime's workers. */
const OFF_RUNTIME_CALLEE = /(^|::)(spawn_blocking|block_in_place|thread::spawn|scope)$/;

/** A function of the run's crate that hands a parameter to the blocking pool or a thread, by name. */
interface OffloadingFunction {
  file: string;
  /** `fs` for src/fs/mod.rs, `` for src/lib.rs; undefined outside a `src/` tree. */
  module?: string;
}

/** Per run: function name → the crate's functions of that name that offload their parameter. */
const OFFLOADING_FUNCTIONS = new WeakMap<RustProgram, Map<string, OffloadingFunction[]>>();

/** The module path of a file under `src/`: src/fs/mod.rs → `fs`, src/fs/read.rs → `fs::read`, src/lib.rs → ``. */
function rustModuleOf(file: string): string | undefined {
  const normalized = file.replace(/\\/g, "/");
  const match = /(?:^|\/)src\/(.*)\.rs$/.exec(normalized);
  if (!match) return undefined;
  const parts = match[1]!.split("/");
  const last = parts[parts.length - 1];
  if (last === "mod" || (parts.length === 1 && (last === "lib" || last === "main"))) parts.pop();
  return parts.join("::");
}

/** Whether `argument` hands the parameter named in `parameters` on: `f`, `move || f()`, `Box::new(f)`. */
function passesParameter(argument: Node, parameters: ReadonlySet<string>): boolean {
  if (argument.type === "identifier") return parameters.has(argument.text);
  if (argument.type === "closure_expression") {
    const body = argument.childForFieldName("body");
    if (!body) return false;
    for (const node of rustDescendants(body)) {
      if (node.type !== "call_expression") continue;
      const fn = node.childForFieldName("function");
      if (fn?.type === "identifier" && parameters.has(fn.text)) return true;
    }
    return false;
  }
  if (argument.type === "call_expression") {
    const args = argument.childForFieldName("arguments")?.namedChildren ?? [];
    return args.length === 1 && !!args[0] && passesParameter(args[0], parameters);
  }
  return false;
}

/**
 * The crate's own wrappers around the blocking pool named `name`: functions of the run's files whose
 * body passes one of their parameters to `spawn_blocking`, `block_in_place`, `std::thread::spawn`
 * or to another such wrapper (tokio's `asyncify(f)` is `spawn_blocking(f).await`). Looked up
 * lazily, once per run and name: only files whose text defines `fn name` are parsed.
 */
function rustOffloadingFunctions(program: RustProgram, language: Node, name: string, depth = 0): OffloadingFunction[] {
  let cache = OFFLOADING_FUNCTIONS.get(program);
  if (!cache) OFFLOADING_FUNCTIONS.set(program, (cache = new Map()));
  const known = cache.get(name);
  if (known) return known;
  if (depth > 3) return [];
  const found: OffloadingFunction[] = [];
  // Set before looking, so that recursion through a cycle of wrappers ends.
  cache.set(name, found);
  const definition = new RegExp(`\\bfn\\s+${name}\\b`);
  const parser = new Parser();
  try {
    parser.setLanguage(language.tree.language);
    for (const file of program.files) {
      if (!definition.test(file.text)) continue;
      const tree = parser.parse(file.text);
      if (!tree) continue;
      try {
        const root = tree.rootNode;
        const uses = rustUseMap(root);
        for (const fn of root.descendantsOfType("function_item")) {
          if (!fn || fn.childForFieldName("name")?.text !== name) continue;
          const parameters = new Set<string>();
          for (const parameter of fn.childForFieldName("parameters")?.namedChildren ?? []) {
            const pattern = parameter?.type === "parameter" ? parameter.childForFieldName("pattern") : undefined;
            if (pattern) for (const bound of rustPatternNames(pattern)) parameters.add(bound.text);
          }
          const body = fn.childForFieldName("body");
          if (parameters.size === 0 || !body) continue;
          const offloads = body.descendantsOfType("call_expression").some((call) => {
            if (!call) return false;
            const args = call.childForFieldName("arguments")?.namedChildren ?? [];
            if (!args.some((argument) => argument && passesParameter(argument, parameters))) return false;
            const callee = rustCallee(call);
            if ((callee.path && OFF_RUNTIME_CALLEE.test(callee.path)) || (callee.method && OFF_RUNTIME_CALLEE.test(callee.method)))
              return true;
            return !!callee.path && isOffloadingPath(callee.path, uses, file.path, program, language, depth + 1);
          });
          if (offloads) found.push({ file: file.path, module: rustModuleOf(file.path) });
        }
      } finally {
        tree.delete();
      }
    }
  } finally {
    parser.delete();
  }
  return found;
}

/**
 * Whether a call path names one of the crate's offloading wrappers: a bare name defined in the
 * same file, or a path through `crate::`/`self::`/`super::`/`Self::`/a type that ends in its name
 * (through the file's `use` map, module checked when the path is absolute within the crate).
 */
function isOffloadingPath(
  path: string,
  uses: ReadonlyMap<string, string>,
  file: string,
  program: RustProgram,
  language: Node,
  depth = 0,
): boolean {
  const full = resolveRustPath(path, uses);
  const segments = full.split("::");
  const name = segments[segments.length - 1]!;
  const first = segments[0]!;
  const local = segments.length === 1;
  if (!/^\w+$/.test(name) || !(local || ["crate", "self", "super", "Self"].includes(first) || /^[A-Z]/.test(first))) return false;
  const candidates = rustOffloadingFunctions(program, language, name, depth);
  if (candidates.length === 0) return false;
  if (local) return candidates.some((candidate) => candidate.file === file);
  if (first === "crate") {
    const module = segments.slice(1, -1).join("::");
    return candidates.some((candidate) => candidate.module === undefined || candidate.module === module);
  }
  return first === "self" || first === "super" || first === "Self" || /^[A-Z]/.test(first);
}

/**
 * True for a call that runs the closure it is given off the runtime's workers: `spawn_blocking`,
 * `block_in_place`, `std::thread::spawn`, `thread::scope`, or a function of the linted crate that
 * hands its parameter to one of those (`asyncify(move || std::fs::read(path))`).
 */
export function isRustOffloadingCall(call: Node, uses: ReadonlyMap<string, string>, filePath: string, program: RustProgram): boolean {
  const callee = rustCallee(call);
  if ((callee.path && OFF_RUNTIME_CALLEE.test(callee.path)) || (callee.method && OFF_RUNTIME_CALLEE.test(callee.method))) return true;
  if (!callee.path) return false;
  return isOffloadingPath(callee.path, uses, filePath, program, call);
}

const RUST_LOOPS = new Set(["loop_expression", "while_expression", "for_expression"]);

/**
 * The entry future of a program that `node` is in, if any: the body of a `#[tokio::main]`-style
 * function (`#[<runtime>::main]`), or an `async` block handed to `block_on` inside `fn main`.
 * Plain closures are seen through; a nested `async` block or `async fn` is another task.
 */
function rustEntryFuture(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "function_item") {
      const isEntry = rustAttributes(current).some((attribute) => /^#\[[\w:]+::main(\(.*\))?\]$/s.test(attribute.text.replace(/\s+/g, "")));
      return isEntry ? current : undefined;
    }
    if (current.type === "async_block" || (current.type === "closure_expression" && isRustAsync(current))) {
      const call = current.parent?.type === "arguments" ? current.parent.parent : undefined;
      if (call?.type !== "call_expression") return undefined;
      const callee = rustCallee(call);
      if (!/(^|::)block_on$/.test(callee.method ?? callee.path ?? "")) return undefined;
      for (let outer = call.parent; outer; outer = outer.parent) {
        if (outer.type === "function_item") return outer.childForFieldName("name")?.text === "main" ? current : undefined;
        if (outer.type === "async_block" || (outer.type === "closure_expression" && isRustAsync(outer))) return undefined;
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * True for start-up code: `node` is in a program's entry future (`#[tokio::main] async fn`, or the
 * `async` block `fn main` hands to `block_on`), not inside a loop there, and before the entry's
 * first `.await` and first `spawn…(` call: no other task exists yet, so blocking the runtime's
 * thread there (reading certificates, keys, configuration) stalls nothing. Tasks a library call
 * starts internally before the first await are not seen.
 */
export function isRustStartupCode(node: Node): boolean {
  const entry = rustEntryFuture(node);
  if (!entry) return false;
  for (const ancestor of rustAncestors(node, entry)) if (RUST_LOOPS.has(ancestor.type)) return false;
  const body = entry.type === "function_item" ? entry.childForFieldName("body") : entry;
  if (!body) return false;
  for (const inner of rustDescendants(body)) {
    if (inner.startIndex >= node.startIndex) break;
    // Only what has finished before `node` runs: `read(fs::read(p)).await` awaits after the read.
    if (inner.endIndex > node.startIndex) continue;
    if (inner.type === "await_expression") return false;
    if (inner.type === "call_expression") {
      const callee = rustCallee(inner);
      if (/(^|::)spawn(_local|_blocking)?$/.test(callee.path ?? callee.method ?? "")) return false;
    }
  }
  return true;
}

const TYPE_ALIASES = new WeakMap<Node, ReadonlyMap<string, string>>();

/** `type OneshotResponse = oneshot::Sender<…>;` of the file: alias name → aliased type text. */
function rustTypeAliases(root: Node): ReadonlyMap<string, string> {
  let aliases = TYPE_ALIASES.get(root);
  if (!aliases) {
    const map = new Map<string, string>();
    for (const item of root.descendantsOfType("type_item")) {
      const name = item?.childForFieldName("name")?.text;
      const type = item?.childForFieldName("type")?.text;
      if (name && type) map.set(name, type);
    }
    TYPE_ALIASES.set(root, (aliases = map));
  }
  return aliases;
}

/**
 * Whether a message type carries a oneshot reply sender (`(Request, oneshot::Sender<Response>)`),
 * through the file's `use` map and type aliases: a request whose sender then waits for the reply.
 */
export function rustTypeCarriesReplySender(typeText: string, root: Node): boolean {
  const uses = rustUseMap(root);
  const aliases = rustTypeAliases(root);
  let text = typeText;
  const expanded = new Set<string>();
  for (let round = 0; round < 3; round++) {
    for (const word of text.match(/\b[A-Z]\w*\b/g) ?? []) {
      const alias = aliases.get(word);
      if (alias && !expanded.has(word)) {
        expanded.add(word);
        text += ` ${alias}`;
      }
    }
  }
  if (/\boneshot\s*::\s*Sender\b/.test(text)) return true;
  for (const path of text.match(/\b[A-Za-z_]\w*(\s*::\s*\w+)*/g) ?? []) {
    if (/(^|::)oneshot::Sender$/.test(resolveRustPath(path.replace(/\s+/g, ""), uses))) return true;
  }
  return false;
}

const CHANNEL_CONSTRUCTOR = /(^|::)(channel|unbounded_channel|unbounded|bounded|unbounded_async|bounded_async)$/;

/**
 * The type text that says what a channel carries: the constructor's turbofish
 * (`unbounded_channel::<(Req, Reply)>()`) or the annotated type of the `let` it initialises.
 */
export function rustChannelItemType(call: Node): string | undefined {
  const fn = call.childForFieldName("function");
  const turbofish = fn?.type === "generic_function" ? fn.childForFieldName("type_arguments")?.text : undefined;
  if (turbofish) return turbofish;
  for (let current = call.parent; current; current = current.parent) {
    if (current.type === "let_declaration") return current.childForFieldName("type")?.text;
    if (!["try_expression", "call_expression", "field_expression", "arguments"].includes(current.type)) return undefined;
  }
  return undefined;
}

/**
 * What a channel end named `name` carries, as type text: its parameter's type, or the channel
 * constructor it was bound from, following `let rx = rx;` moves a few times.
 */
export function rustChannelEndType(at: Node, name: string): string | undefined {
  let current: Node = at;
  let currentName = name;
  for (let hop = 0; hop < 4; hop++) {
    const binding = findRustBinding(current, currentName);
    if (!binding) return undefined;
    if (binding.kind === "parameter") return binding.type?.text;
    if (binding.kind !== "let") return undefined;
    if (binding.type) return binding.type.text;
    let value = binding.value;
    while (value && value.type === "try_expression") value = value.namedChildren[0] ?? undefined;
    if (!value) return undefined;
    if (value.type === "identifier") {
      current = value;
      currentName = value.text;
      continue;
    }
    if (value.type === "call_expression") {
      const callee = rustCallee(value);
      if (callee.path && CHANNEL_CONSTRUCTOR.test(callee.path)) return rustChannelItemType(value);
    }
    return undefined;
  }
  return undefined;
}

/**
 * The Cargo target a file of a crate belongs to, from its path in the crate: `src/bin/<name>.rs`
 * (or `src/bin/<name>/…`), `examples/<name>`, `tests/<name>` and `benches/<name>` are targets of
 * their own; everything else under the crate (src/main.rs, src/lib.rs and their modules) is shared.
 */
function rustTargetOf(filePath: string): { crate: string; target: string } {
  const normalized = filePath.replace(/\\/g, "/");
  const root = packageKeyOf(filePath).replace(/\\/g, "/");
  let crate = root;
  let relative = root && normalized.startsWith(`${root}/`) ? normalized.slice(root.length + 1) : undefined;
  if (relative === undefined) {
    // No Cargo.toml on disk (an in-memory program): the crate root is the folder above its last `src/`.
    const match = /^(.*?)\/((?:src|examples|tests|benches)\/.*)$/.exec(normalized);
    crate = match?.[1] ?? "";
    relative = match?.[2] ?? normalized;
  }
  const own = /^(src\/bin|examples|tests|benches)\/([^/]+?)(?:\.rs$|\/)/.exec(relative);
  return { crate, target: own ? `${own[1]}/${own[2]}` : "" };
}

const TARGET_FILES = new WeakMap<RustProgram, Map<string, RustProgram["files"]>>();

/**
 * The files that build into the same binary as `filePath`, for facts that are decided per binary (is
 * there a shutdown handler?): a `src/bin/<name>` or `examples/<name>` file sees its own target's files
 * and the crate's shared files; a shared file (src/main.rs, src/lib.rs and modules) sees the shared
 * files only. Never another crate's files, nor another binary's.
 */
export function rustTargetFiles(filePath: string, program: RustProgram): RustProgram["files"] {
  let byTarget = TARGET_FILES.get(program);
  if (!byTarget) TARGET_FILES.set(program, (byTarget = new Map()));
  const { crate, target } = rustTargetOf(filePath);
  const key = `${crate}\0${target}`;
  let files = byTarget.get(key);
  if (!files) {
    files = program.files.filter((file) => {
      const other = rustTargetOf(file.path);
      return other.crate === crate && (other.target === "" || other.target === target);
    });
    byTarget.set(key, files);
  }
  return files;
}
