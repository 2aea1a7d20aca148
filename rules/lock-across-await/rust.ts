import {
  enclosingRustAsync,
  findRustBinding,
  resolveRustPath,
  rustCallee,
  rustDescendants,
  rustFieldTypes,
  rustPatternNames,
  rustUseMap,
  rustMacroText,
  visitRustAsyncMacroBodies,
  defineRustRule,
  type RustNode,
  type RustRuleContext,
  snippet,
  RUST_STREAM_IO_METHODS,
} from "../../src/lint/rust-api.js";
import { reportUnknownAwaitsOption } from "./options.js";

interface Options {
  reportUnknownAwaits: boolean;
}

/** Zero-argument methods that take a lock, and the guard they give. */
const LOCK_METHODS: Record<string, string> = {
  lock: "guard",
  try_lock: "guard",
  lock_owned: "guard",
  read: "read guard",
  try_read: "read guard",
  read_owned: "read guard",
  upgradable_read: "upgradable read guard",
  write: "write guard",
  try_write: "write guard",
  write_owned: "write guard",
};

/** Methods that unwrap the `LockResult` of a `std::sync` lock and give the guard itself. */
const UNWRAPS = new Set(["unwrap", "expect", "unwrap_or_else", "map_err", "ok", "context", "with_context", "wrap_err"]);

type Library = "std::sync" | "parking_lot" | "tokio" | "async";

type Operation = "network I/O" | "a sleep" | "a timer tick" | "a channel receive" | "a send";

const NETWORK_METHODS = new Set([
  ...RUST_STREAM_IO_METHODS,
  "connect",
  "accept",
  "publish",
  "subscribe",
  "send_to",
  "recv_from",
  "send_request",
  "request",
  "execute",
]);
const RECEIVE_METHODS = new Set(["recv", "recv_many", "recv_async", "changed", "notified"]);
const SEND_METHODS = new Set(["send", "send_async", "reserve", "send_timeout"]);
const NETWORK_PATHS = /(^|::)(TcpStream::connect|UnixStream::connect|lookup_host|reqwest::get|body::to_bytes)$/;
/** Timer futures of other runtimes than Tokio's `time::sleep`: futures-timer's `Delay`, async-io's and smol's `Timer`. */
const TIMER_PATHS = /(^|::)(futures_timer::Delay::new|(async_io|smol)::Timer::(after|at))$/;
/** A deadline around another future: what it waits for is the inner future's wait. */
const DEADLINE_PATHS = /(^|::)time::(timeout|timeout_at)$/;
/** Readers and writers over memory or local files: their awaits are not network I/O. */
const NOT_NETWORK =
  /^(Vec::(new|with_capacity)|vec!|String::(new|with_capacity)|(std::io::)?Cursor::new|BytesMut::(new|with_capacity)|(tokio::)?io::(duplex|sink|empty))|(^|::)(File|OpenOptions|fs)::/;

interface Guard {
  library: Library;
  /** The lock call: `state.lock()`. */
  call: RustNode;
  /** The whole acquisition: `state.lock().unwrap()`, `state.lock().await`. */
  top: RustNode;
  /** `guard`, `read guard` or `write guard`. */
  kind: string;
  lockType: "Mutex" | "RwLock";
  /** How the code took it, for the message: `self.state.lock()`, `self.state()`. */
  acquiredBy: string;
  /** The bound name of a `let` guard; undefined for a temporary. */
  name?: string;
  /** Where the guard can be alive: the `let`'s block, or the temporary's scope. */
  scope: RustNode;
}

function unwrapValue(node: RustNode): RustNode {
  let current = node;
  while (["parenthesized_expression", "try_expression"].includes(current.type) && current.namedChildren[0])
    current = current.namedChildren[0];
  return current;
}

/** Which child field of `parent` holds `child`. */
function fieldOf(parent: RustNode, child: RustNode): string | null {
  for (let index = 0; index < parent.childCount; index++) {
    if (parent.child(index)?.equals(child)) return parent.fieldNameForChild(index);
  }
  return null;
}

/** The smallest enclosing temporary scope of an expression (the Rust reference's list, 2021 edition). */
function temporaryScope(node: RustNode): RustNode {
  let child = node;
  for (let current = node.parent; current; child = current, current = current.parent) {
    switch (current.type) {
      case "block": {
        const statements = current.namedChildren;
        const isTail =
          statements[statements.length - 1]?.equals(child) && child.type !== "expression_statement" && child.type !== "let_declaration";
        if (!isTail) return child;
        const owner = current.parent?.type;
        if (
          owner &&
          [
            "if_expression",
            "else_clause",
            "while_expression",
            "loop_expression",
            "for_expression",
            "match_arm",
            "function_item",
            "closure_expression",
            "async_block",
          ].includes(owner)
        )
          return current;
        break;
      }
      case "if_expression":
      case "while_expression":
        if (fieldOf(current, child) === "condition" && child.type !== "let_condition" && child.type !== "let_chain") return child;
        break;
      case "match_arm":
        if (fieldOf(current, child) === "value") return child;
        break;
      case "binary_expression":
        if (fieldOf(current, child) === "right" && /^(&&|\|\|)$/.test(current.child(1)?.text ?? "")) return child;
        break;
      case "closure_expression":
      case "async_block":
      case "function_item":
        return current;
      default:
        break;
    }
  }
  return child;
}

export default defineRustRule<Options>({
  instead:
    "Drop the guard before the `.await` (scope it in a block, or `drop(guard)`): copy out what you need, do the slow work, then lock again to publish. If the lock really must span the await, use `tokio::sync::Mutex`/`RwLock`, whose guards are `Send` and which queue fairly, and keep the awaited work short; bound it with `tokio::time::timeout`.",
  messages: {
    rustSyncGuardAcrossAwait:
      "The {{noun}} from `{{lock}}` is still alive at this `.await` (`{{call}}`): the future becomes `!Send`, and while the task is suspended {{blocked}} blocks — when one of them is a runtime worker this task needs, the program deadlocks.",
    rustAsyncGuardAcrossAwait:
      "The {{noun}} from `{{lock}}` is held while awaiting {{operation}} (`{{call}}`): every other task that needs the lock queues behind a wait the lock does not guard.",
    rustAsyncGuardUnknownAwait:
      "The {{noun}} from `{{lock}}` is held while awaiting `{{call}}`, which may be slow I/O: every other task that needs the lock queues behind it.",
  },
  options: {
    properties: { reportUnknownAwaits: reportUnknownAwaitsOption },
    defaults: { reportUnknownAwaits: false },
  },
  examples: {
    incorrect: [
      `use std::sync::Mutex;\nuse std::time::Duration;\n\nasync fn wait_ready(state: &Mutex<bool>) {\n    loop {\n        let ready = state.lock().unwrap();\n        if *ready {\n            return;\n        }\n        tokio::time::sleep(Duration::from_millis(50)).await;\n    }\n}`,
      `use std::collections::HashMap;\nuse tokio::sync::RwLock;\n\nasync fn publish(subscribers: &RwLock<HashMap<String, Vec<Client>>>, topic: &str, payload: Vec<u8>) {\n    let subscribers = subscribers.read().await;\n    for client in subscribers.get(topic).into_iter().flatten() {\n        let _ = client.publish(topic, payload.clone()).await;\n    }\n}`,
    ],
    correct: [
      `use std::sync::Mutex;\nuse std::time::Duration;\n\nasync fn wait_ready(state: &Mutex<bool>) {\n    loop {\n        if *state.lock().unwrap() {\n            return;\n        }\n        tokio::time::sleep(Duration::from_millis(50)).await;\n    }\n}`,
      `use std::collections::HashMap;\nuse tokio::sync::RwLock;\n\nasync fn publish(subscribers: &RwLock<HashMap<String, Vec<Client>>>, topic: &str, payload: Vec<u8>) {\n    let clients: Vec<Client> = {\n        let subscribers = subscribers.read().await;\n        subscribers.get(topic).cloned().unwrap_or_default()\n    };\n    for client in clients {\n        let _ = client.publish(topic, payload.clone()).await;\n    }\n}`,
    ],
  },
  knownLimits: [
    "A guard is seen where it is taken: `x.lock()`, `x.read()`, `x.write()` (and their `try_`/`_owned` forms) with no arguments, or a call of a function of the same file declared to return a `std::sync`/`parking_lot` `MutexGuard`/`RwLockReadGuard`/`RwLockWriteGuard`. A guard stored in a struct field, or bound through `match m.lock() { Ok(g) => g, … }`, is not followed.",
    "Which library a lock comes from is read from `.await` (async), `.unwrap()`/`.expect()`/`?` (std::sync), or the declared type of the receiver or the file's `use` of `Mutex`/`RwLock`; a bare `.lock()` on a receiver whose type cannot be found is not reported.",
    "A guard ends at `drop(guard)` (or when it is passed by value to any call) only when that statement runs on every path to the await; `drop` inside one branch leaves later awaits reported.",
    "Temporaries follow Rust 2021 scopes: a guard in a `match`, `if let` or `while let` scrutinee lives for the whole expression (the 2024 edition ends `if let` scrutinees before `else`).",
    "For a Tokio guard only awaits of network I/O (socket reads/writes, connect, `publish`, HTTP requests), sleeps and interval ticks, channel receives and sends are reported, unless their receiver is the guarded value itself (`guard.stream.write_all(…)`); set `reportUnknownAwaits` to report other awaited calls too. A rate limiter that holds a Tokio lock across its sleep on purpose (to serialise callers) is reported; suppress it with `// asyncpat-ignore-next-line lock-across-await -- serialises callers`.",
    "The `resources` option describes TypeScript APIs and does not apply to Rust.",
    "Each guard is reported once, at the first await where it is held; fixing that one may reveal the next.",
  ],
  create(context) {
    const analyser = new GuardAnalyser(context);
    // A macro body's guards, parsed as code: the report shows the macro's own `$name`s.
    const inMacro = new GuardAnalyser({
      ...context,
      report: (descriptor) =>
        context.report({
          ...descriptor,
          data: Object.fromEntries(
            Object.entries(descriptor.data ?? {}).map(([key, value]) => [key, typeof value === "string" ? rustMacroText(value) : value]),
          ),
        }),
    });
    return {
      call_expression(node) {
        const guard = analyser.acquisition(node);
        if (guard) analyser.check(guard);
      },
      macro_definition(node) {
        visitRustAsyncMacroBodies(node, context.source, (body) => {
          for (const call of body.descendantsOfType("call_expression")) {
            const guard = call && inMacro.acquisition(call);
            if (guard) inMacro.check(guard);
          }
        });
      },
    };
  },
});

const MENTIONS = new WeakMap<object, Record<"Mutex" | "RwLock", boolean>>();

class GuardAnalyser {
  private readonly uses: ReadonlyMap<string, string>;

  constructor(private readonly context: RustRuleContext<Options>) {
    this.uses = rustUseMap(context.root);
  }

  acquisition(call: RustNode): Guard | undefined {
    const callee = rustCallee(call);
    const method = callee.method;
    if (!method || !callee.receiver || !(method in LOCK_METHODS)) return this.helperAcquisition(call);
    if ((call.childForFieldName("arguments")?.namedChildren.length ?? 0) > 0) return undefined;
    if (/\b(stdout|stderr|stdin)\(\)$/.test(callee.receiver.text)) return undefined;
    if (!enclosingRustAsync(call)) return undefined;

    let top = call;
    let library: Library | undefined;
    const parent = call.parent;
    if (parent?.type === "await_expression") {
      top = parent;
      library = "async";
    } else {
      for (;;) {
        const up = top.parent;
        if (up?.type === "try_expression") {
          top = up;
          continue;
        }
        if (
          up?.type === "field_expression" &&
          up.childForFieldName("value")?.equals(top) &&
          UNWRAPS.has(up.childForFieldName("field")?.text ?? "") &&
          up.parent?.type === "call_expression"
        ) {
          top = up.parent;
          continue;
        }
        break;
      }
      const unwrapped = !top.equals(call);
      const declared = this.declaredLibrary(callee.receiver);
      if (declared === null) return undefined;
      if (declared) library = declared;
      else if (unwrapped && !method.startsWith("try_")) library = "std::sync";
      else library = this.importedLibrary(method);
      // A bare `.lock()` of an async mutex is a future, not a guard (it is awaited later, or handed to `timeout`).
      if (!library || library === "tokio" || library === "async") return undefined;
      if (!declared && !this.programMentions(method.includes("lock") ? "Mutex" : "RwLock")) return undefined;
    }
    if (library === "async")
      library = this.declaredLibrary(callee.receiver) === "tokio" || this.importedLibrary(method) === "tokio" ? "tokio" : "async";

    const kind = LOCK_METHODS[method]!;
    const lockType = method.includes("read") || method.includes("write") ? "RwLock" : "Mutex";
    const acquiredBy = `${snippet(callee.receiver.text)}.${method}()`;
    return this.guardAt({ library, call, top, kind, lockType, acquiredBy });
  }

  private guardAt(partial: Omit<Guard, "scope" | "name">): Guard | undefined {
    const holder = this.holder(partial.top);
    if (holder === "dropped") return undefined;
    if (holder) return { ...partial, name: holder.name, scope: holder.block };
    return { ...partial, scope: temporaryScope(partial.top) };
  }

  private returnTypesByName?: Map<string, string | undefined>;

  /** Return types of this file's functions by name; undefined where two functions share a name but not a type. */
  private returnTypes(): Map<string, string | undefined> {
    if (this.returnTypesByName) return this.returnTypesByName;
    const types = new Map<string, string | undefined>();
    for (const fn of this.context.root.descendantsOfType("function_item")) {
      const name = fn?.childForFieldName("name")?.text;
      if (!fn || !name) continue;
      const type = fn.childForFieldName("return_type")?.text.replace(/\s+/g, "") ?? "";
      types.set(name, types.has(name) && types.get(name) !== type ? undefined : type);
    }
    this.returnTypesByName = types;
    return types;
  }

  /** A call of a plain function of this file that returns a blocking guard: `fn state(&self) -> MutexGuard<'_, State>`. */
  private helperAcquisition(call: RustNode): Guard | undefined {
    const callee = rustCallee(call);
    const name = callee.method ?? callee.path?.split("::").pop();
    const returned = name ? this.returnTypes().get(name) : undefined;
    const match = returned ? /(?<![\w:])((?:\w+::)*)(MutexGuard|RwLockReadGuard|RwLockWriteGuard)\b/.exec(returned) : undefined;
    // Every call of the file comes through here: the table lookup first, the ancestor walk only for a guard.
    if (!match || !enclosingRustAsync(call)) return undefined;
    const library = this.libraryOfPath(resolveRustPath(`${match[1]}${match[2]}`, this.uses));
    if (library !== "std::sync" && library !== "parking_lot") return undefined;
    let top = call;
    for (;;) {
      const up = top.parent;
      if (up?.type === "try_expression") top = up;
      else if (
        up?.type === "field_expression" &&
        up.childForFieldName("value")?.equals(top) &&
        UNWRAPS.has(up.childForFieldName("field")?.text ?? "") &&
        up.parent?.type === "call_expression"
      )
        top = up.parent;
      else break;
    }
    const guardType = match[2]!;
    return this.guardAt({
      library,
      call,
      top,
      kind: guardType === "RwLockReadGuard" ? "read guard" : guardType === "RwLockWriteGuard" ? "write guard" : "guard",
      lockType: guardType === "MutexGuard" ? "Mutex" : "RwLock",
      acquiredBy: `${snippet((call.childForFieldName("function") ?? call).text)}()`,
    });
  }

  /** Does any file of the run mention the lock type (cached per run: every file asks)? */
  private programMentions(type: "Mutex" | "RwLock"): boolean {
    const program = this.context.program;
    let mentions = MENTIONS.get(program);
    if (!mentions) {
      mentions = {
        Mutex: program.files.some((file) => file.text.includes("Mutex")) || this.context.source.includes("Mutex"),
        RwLock: program.files.some((file) => file.text.includes("RwLock")) || this.context.source.includes("RwLock"),
      };
      MENTIONS.set(program, mentions);
    }
    return mentions[type];
  }

  /** The `let` that keeps the guard: `let g = …`, `let Ok(g) = …`, or `let r = &…` (temporary lifetime extension). */
  private holder(top: RustNode): { name: string; block: RustNode } | "dropped" | undefined {
    // `&guard.field` and `&*guard` keep the guard alive as long as the reference; `*guard` or
    // `guard.field` alone copy out of it, and the guard ends with the statement.
    let current = top;
    let outermost: string | undefined;
    for (;;) {
      const up = current.parent;
      if (!up) return undefined;
      const placeStep =
        (up.type === "field_expression" && up.childForFieldName("value")?.equals(current) && up.parent?.type !== "call_expression") ||
        (up.type === "unary_expression" && up.text.startsWith("*"));
      if (!placeStep && up.type !== "reference_expression" && up.type !== "parenthesized_expression") break;
      if (up.type !== "parenthesized_expression") outermost = up.type;
      current = up;
    }
    if (outermost && outermost !== "reference_expression") return undefined;
    const declaration = current.parent;
    if (declaration?.type !== "let_declaration" || !declaration.childForFieldName("value")?.equals(current)) return undefined;
    const pattern = declaration.childForFieldName("pattern");
    if (!pattern || pattern.type === "_" || pattern.text === "_") return "dropped";
    const names = rustPatternNames(pattern);
    const block = declaration.parent;
    if (names.length !== 1 || !block) return undefined;
    return { name: names[0]!.text, block };
  }

  /** The library of a lock from the receiver's declared type: a library, null (not a lock at all) or undefined (unseen). */
  private declaredLibrary(receiver: RustNode): Library | null | undefined {
    let node = receiver;
    while (["parenthesized_expression", "reference_expression", "unary_expression"].includes(node.type) && node.namedChildren[0]) {
      node = node.type === "reference_expression" ? (node.childForFieldName("value") ?? node.namedChildren[0]!) : node.namedChildren[0]!;
    }
    const texts: [string, boolean][] = [];
    if (node.type === "identifier") {
      const binding = findRustBinding(node, node.text);
      if (binding?.kind === "parameter" && binding.type) texts.push([binding.type.text, true]);
      if (binding?.kind === "let") {
        if (binding.type) texts.push([binding.type.text, true]);
        else if (binding.value) texts.push([binding.value.text, false]);
      }
      if (!binding) {
        for (const item of this.context.root.descendantsOfType(["static_item", "const_item"])) {
          if (item?.childForFieldName("name")?.text === node.text) texts.push([item.text, false]);
        }
      }
    } else if (node.type === "field_expression") {
      const field = node.childForFieldName("field")?.text;
      if (field) for (const type of rustFieldTypes(this.context.root, field)) texts.push([type.text, true]);
    }
    if (texts.length === 0) return undefined;
    const libraries = new Set<Library | null | undefined>(texts.map(([text, isType]) => this.libraryOfText(text, isType)));
    if (libraries.size !== 1) return undefined;
    return [...libraries][0];
  }

  /**
   * The lock library a declared type or initialiser names. A type that names no lock is null (not a
   * lock: `file.lock()`), unless it is an alias; an initialiser that names none (`Arc::clone(&m)`) is unseen.
   */
  private libraryOfText(raw: string, isType: boolean): Library | null | undefined {
    let text = raw.replace(/\s+/g, "");
    if (isType) {
      const alias = this.context.root
        .descendantsOfType("type_item")
        .find((item) => item?.childForFieldName("name")?.text === text.replace(/^&(mut)?/, ""));
      const aliased = alias?.childForFieldName("type")?.text;
      if (aliased) text = aliased.replace(/\s+/g, "");
    }
    const match = /(?<![\w:])((?:\w+::)*)(\w*(?:Mutex|RwLock))\b/.exec(text);
    if (!match) {
      if (isType) return /^(&(mut)?)?(Self|[A-Z]\w*)$/.test(text) ? undefined : null;
      // `let file = File::open(p)?` constructs something that is not a lock; `Arc::clone(&m)` says nothing.
      return /^(\w+::)*(?!Arc::|Rc::)[A-Z]\w*::(new|open|create|default|with_capacity|from|connect|bind)\b/.test(text) ? null : undefined;
    }
    const path = resolveRustPath(`${match[1]}${match[2]}`, this.uses);
    return this.libraryOfPath(path);
  }

  private libraryOfPath(path: string): Library | undefined {
    if (path.startsWith("tokio::")) return "tokio";
    if (path.startsWith("parking_lot::") || path.startsWith("lock_api::")) return "parking_lot";
    if (path.startsWith("std::sync::") || path.startsWith("sync::")) return "std::sync";
    if (/^(futures|async_std|async_lock|futures_util)::/.test(path)) return "async";
    return undefined;
  }

  /** What `Mutex`/`RwLock` means in this file, by its `use`. */
  private importedLibrary(method: string): Library | undefined {
    const name = method.includes("lock") && !method.includes("read") ? "Mutex" : "RwLock";
    const path = this.uses.get(name);
    return path ? this.libraryOfPath(path) : undefined;
  }

  check(guard: Guard): void {
    const context = enclosingRustAsync(guard.call);
    const start = guard.name ? this.statementOf(guard.top).endIndex : guard.top.endIndex;
    const ends = guard.name ? this.ends(guard) : [];
    for (const node of rustDescendants(guard.scope)) {
      if (node.type !== "await_expression" || node.endIndex <= start) continue;
      if (!enclosingRustAsync(node)?.equals(context!)) continue;
      if (ends.some((end) => end.endIndex <= node.startIndex && this.dominates(end, node))) continue;
      if (this.report(guard, node)) return;
    }
  }

  private statementOf(node: RustNode): RustNode {
    let current = node;
    while (current.parent && current.parent.type !== "block") current = current.parent;
    return current;
  }

  /** `drop(guard)` and other calls that take the guard by value. */
  private ends(guard: Guard): RustNode[] {
    const ends: RustNode[] = [];
    for (const node of rustDescendants(guard.scope)) {
      if (node.type !== "identifier" || node.text !== guard.name || node.startIndex < guard.top.endIndex) continue;
      const parent = node.parent;
      if (parent?.type !== "arguments" || parent.parent?.type !== "call_expression") continue;
      // drop(guard), mem::drop(guard), or any other call that takes the guard by value.
      ends.push(parent.parent);
    }
    return ends;
  }

  /** Does `end` run on every path from the guard to `at`? Its nearest block or match arm must contain `at`. */
  private dominates(end: RustNode, at: RustNode): boolean {
    for (let current = end.parent; current; current = current.parent) {
      if (
        current.type === "match_arm" ||
        current.type === "block" ||
        current.type === "closure_expression" ||
        current.type === "async_block"
      ) {
        if (current.type === "closure_expression" || current.type === "async_block") return false;
        return current.startIndex <= at.startIndex && at.endIndex <= current.endIndex;
      }
      if (current.type === "binary_expression") return false;
    }
    return false;
  }

  private report(guard: Guard, wait: RustNode): boolean {
    const lock = guard.acquiredBy;
    const operand = wait.namedChildren[0];
    if (!operand) return false;
    const noun = this.noun(guard);
    if (guard.library === "std::sync" || guard.library === "parking_lot") {
      this.context.report({
        node: wait,
        messageId: "rustSyncGuardAcrossAwait",
        data: { noun, lock, blocked: this.blocked(guard), call: snippet(operand.text) },
        help: guard.name
          ? `End the guard before the await: read what you need in an inner block (\`let value = { let ${guard.name} = …; ${guard.name}.clone() };\`) or call \`drop(${guard.name})\` first. Keep the blocking lock for short sections that never await (Tokio's advice); use \`tokio::sync::Mutex\` only if it must be held across the await.`
          : "This guard is a temporary of the statement (or of a `match`/`if let`/`while let` scrutinee), so it lives until the statement ends: bind what you need in its own `let` first, then await.",
      });
      return true;
    }
    const target = unwrapValue(operand);
    if (this.onGuardedValue(guard, target)) return false;
    const operation = this.classify(target);
    if (operation) {
      this.context.report({
        node: wait,
        messageId: "rustAsyncGuardAcrossAwait",
        data: { noun, lock, operation, call: snippet(operand.text) },
        help: "Copy what you need out of the guard and drop it before the await (clone the subscriber list, then publish), or hand the work to a task that owns the resource.",
      });
      return true;
    }
    if (this.context.options.reportUnknownAwaits && target.type === "call_expression") {
      this.context.report({ node: wait, messageId: "rustAsyncGuardUnknownAwait", data: { noun, lock, call: snippet(operand.text) } });
      return true;
    }
    return false;
  }

  /** Who waits on the thread's lock meanwhile: writers for a read guard, everyone else otherwise. */
  private blocked(guard: Guard): string {
    if (guard.kind === "read guard") return "every thread that wants to write to it";
    return "every thread that takes it";
  }

  private noun(guard: Guard): string {
    const kind = guard.kind;
    const lock = guard.lockType;
    if (guard.library === "tokio") return `Tokio \`${lock}\` ${kind}`;
    if (guard.library === "async") return `async \`${lock}\` ${kind}`;
    return `\`${guard.library}::${lock}\` ${kind}`;
  }

  /**
   * I/O on the locked value itself is what an async mutex is for: `guard.writer.write_all(…)`, or the
   * guarded connection passed along (`query.execute(&mut *conn)`).
   */
  private onGuardedValue(guard: Guard, target: RustNode): boolean {
    if (target.type !== "call_expression") return this.isGuardPath(guard, target);
    const receiver = rustCallee(target).receiver;
    if (receiver && this.isGuardPath(guard, receiver)) return true;
    // `&mut *conn` or `&guard.client` lends the guarded resource; `*n` or `guard.id` only copies data out of it.
    return (target.childForFieldName("arguments")?.namedChildren ?? []).some(
      (argument) =>
        !!argument && (argument.type === "reference_expression" || argument.type === "identifier") && this.isGuardPath(guard, argument),
    );
  }

  /** The guard, a field of it, or a reference to either. */
  private isGuardPath(guard: Guard, start: RustNode): boolean {
    let node: RustNode | null = start;
    for (let steps = 0; node && steps < 20; steps++) {
      if (node.equals(guard.top) || node.equals(guard.call)) return true;
      if (node.type === "identifier") return node.text === guard.name;
      if (node.type === "field_expression") node = node.childForFieldName("value");
      else if (
        node.type === "parenthesized_expression" ||
        node.type === "reference_expression" ||
        (node.type === "unary_expression" && node.text.startsWith("*"))
      ) {
        node = node.type === "reference_expression" ? node.childForFieldName("value") : (node.namedChildren[0] ?? null);
      } else if (node.type === "await_expression" || node.type === "try_expression") node = node.namedChildren[0] ?? null;
      else return false;
    }
    return false;
  }

  private classify(target: RustNode): Operation | undefined {
    if (target.type === "identifier") return this.isOneshotReceiver(target) ? "a channel receive" : undefined;
    if (target.type !== "call_expression") return undefined;
    const callee = rustCallee(target);
    const args = target.childForFieldName("arguments")?.namedChildren.length ?? 0;
    if (callee.path) {
      const full = resolveRustPath(callee.path, this.uses);
      if (
        /(^|::)time::(sleep|sleep_until)$/.test(full) ||
        ((callee.path === "sleep" || callee.path === "sleep_until") && full === callee.path)
      )
        return "a sleep";
      if (TIMER_PATHS.test(full)) return "a sleep";
      if (NETWORK_PATHS.test(full)) return "network I/O";
      const deadlineOf = DEADLINE_PATHS.test(full) ? target.childForFieldName("arguments")?.namedChildren[1] : undefined;
      return deadlineOf ? this.classify(unwrapValue(deadlineOf)) : undefined;
    }
    const method = callee.method;
    if (!method || !callee.receiver) return undefined;
    if (method === "tick" && args === 0) return "a timer tick";
    if (RECEIVE_METHODS.has(method)) return "a channel receive";
    if (method === "send" && args === 0) return this.isRequestChain(callee.receiver) ? "network I/O" : undefined;
    if (SEND_METHODS.has(method)) return "a send";
    if (NETWORK_METHODS.has(method) && !this.inMemory(callee.receiver)) {
      // `read()`/`write()` with no arguments are lock acquisitions, handled as guards of their own.
      if ((method === "read" || method === "write") && args === 0) return undefined;
      return "network I/O";
    }
    return undefined;
  }

  /** `client.get(url)….send()`: an HTTP request builder chain. */
  private isRequestChain(receiver: RustNode): boolean {
    let node: RustNode | undefined = unwrapValue(receiver);
    for (let steps = 0; node && node.type === "call_expression" && steps < 20; steps++) {
      const callee = rustCallee(node);
      if (callee.method && /^(get|post|put|patch|delete|head|request)$/.test(callee.method)) return true;
      node = callee.receiver ? unwrapValue(callee.receiver) : undefined;
    }
    return false;
  }

  /** A writer or reader over memory or a local file: not network I/O. */
  private inMemory(receiver: RustNode): boolean {
    let node = receiver;
    while (node.type === "reference_expression" || node.type === "parenthesized_expression")
      node = node.childForFieldName("value") ?? node.namedChildren[0] ?? node;
    if (node.type !== "identifier") return false;
    const binding = findRustBinding(node, node.text);
    if (binding?.kind !== "let" || !binding.value) return false;
    const value = unwrapValue(binding.value);
    return NOT_NETWORK.test(value.text.replace(/\s+/g, ""));
  }

  private isOneshotReceiver(identifier: RustNode): boolean {
    const binding = findRustBinding(identifier, identifier.text);
    if (binding?.kind !== "let" || !binding.value || binding.pattern.type !== "tuple_pattern") return false;
    const value = unwrapValue(binding.value);
    const path = value.type === "call_expression" ? rustCallee(value).path : undefined;
    return !!path && /(^|::)oneshot::channel$/.test(resolveRustPath(path, this.uses));
  }
}
