import {
  enclosingRustAsync,
  findRustBinding,
  isRustTestContext,
  resolveRustPath,
  rustCallee,
  rustDescendants,
  rustPatternNames,
  rustStripReferences,
  rustUseMap,
  defineRustRule,
  type RustListeners,
  type RustNode,
  type RustRuleContext,
  RUST_STREAM_IO_METHODS,
  isTestFile,
} from "../../src/lint/rust-api.js";
import { DEFAULT_FIX_TIMEOUT_MS, DEFAULT_WRAPPERS, fixTimeoutMsOption, timeoutWrappersOption } from "./options.js";
import { deadlineCallers, mentionedTwice } from "./rust-callers.js";

interface Options {
  fixTimeoutMs: number;
  timeoutWrappers: string[];
}

/** How deep to follow bindings and callers; real code rarely needs more, and it bounds the work. */
const MAX_DEPTH = 4;

/** Awaited methods of a `tokio::process` command or child that wait for the process to finish. */
const PROCESS_WAITS = new Set(["output", "status", "wait", "wait_with_output"]);
const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "head", "request"]);
const SPAWNS = /(^|::)(spawn|spawn_local|spawn_blocking)$/;

/** `select!` branches that bound the others: a timer, a deadline, a cancellation or shutdown signal. */
const RACE_BOUND = /\b(sleep|sleep_until|timeout|timeout_at|cancelled|ctrl_c|tick|\w*(shutdown|cancel|deadline|stop|terminate|quit)\w*)\b/i;
const SIGNAL_NAME = /shutdown|stop|cancel|close|quit|exit|done|signal|kill|term|finish/i;

const SOCKET_TYPE =
  /^(?:tokio::)?(?:net::)?(?:(?:tcp|unix)::)?(TcpStream|UnixStream|OwnedReadHalf|OwnedWriteHalf|ReadHalf<'\w+>|WriteHalf<'\w+>)$/;
const SOCKET_WRAPPER = /^(?:tokio::)?(?:io::)?(BufReader|BufWriter|BufStream|ReadHalf|WriteHalf|Take)<(.*)>$/;

/** Integration tests and benchmarks of a Cargo package. */

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** `(x)`, `x?` and `x.await` stripped off an expression. */
function unwrapValue(node: RustNode): RustNode {
  let current = node;
  while (["parenthesized_expression", "try_expression", "await_expression"].includes(current.type) && current.namedChildren[0]) {
    current = current.namedChildren[0];
  }
  return current;
}

/** Strips `.unwrap()`, `.expect(…)`, `?` and `.await` from the end of a call chain. */
function unwrapResult(node: RustNode): RustNode {
  let current = unwrapValue(node);
  for (;;) {
    if (current.type !== "call_expression") return current;
    const callee = rustCallee(current);
    if (!callee.receiver || !["unwrap", "expect", "unwrap_or_else"].includes(callee.method ?? "")) return current;
    current = unwrapValue(callee.receiver);
  }
}

function isTypeSocket(type: RustNode | undefined, uses: ReadonlyMap<string, string>): boolean {
  if (!type) return false;
  let text = type.text.replace(/\s+/g, "").replace(/^&(mut)?('\w+)?/, "");
  for (let guard = 0; guard < 4; guard++) {
    const wrapper = SOCKET_WRAPPER.exec(text);
    if (!wrapper) break;
    text = wrapper[2]!.replace(/^&(mut)?('\w+)?/, "");
  }
  const match = SOCKET_TYPE.exec(text);
  if (!match) return false;
  const first = text.split("::")[0]!;
  const resolved = uses.get(first);
  return !resolved || resolved.startsWith("tokio::");
}

/** Operations whose output is an `io::Result`: a deadline can fail them with `ErrorKind::TimedOut`, keeping the type. */
const IO_RESULT_FINDINGS = new Set(["rustConnect", "rustSocketIo", "rustProcess"]);

/**
 * `op.await` → `tokio::time::timeout(…, op).await` with the elapsed deadline turned into an
 * `io::Error` of kind `TimedOut`, so the expression keeps its `io::Result` type.
 */
function timeoutSuggestion(node: RustNode, operand: RustNode, messageId: string, ms: number) {
  if (!IO_RESULT_FINDINGS.has(messageId)) return undefined;
  const text = `tokio::time::timeout(std::time::Duration::from_millis(${ms}), ${operand.text}).await.unwrap_or_else(|elapsed| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)))`;
  return [
    {
      desc: `Give it a deadline of ${ms} ms with tokio::time::timeout (a timeout fails with io::ErrorKind::TimedOut)`,
      fix: { range: [node.startIndex, node.endIndex] as [number, number], text },
    },
  ];
}

export default defineRustRule<Options>({
  instead:
    "Wrap the operation in `tokio::time::timeout(duration, op).await` and handle the `Elapsed` error like any other failure; for reqwest, build the client once with `Client::builder().timeout(\u2026)`; for a reply channel, time out the receive and drop the request.",
  messages: {
    rustConnect:
      "`{{name}}(…).await` has no deadline: connecting to a host that drops packets waits for the OS connect timeout (about two minutes on Linux), and everything awaiting this connect waits with it.",
    rustSocketIo:
      "`{{name}}(…).await` on a socket has no deadline: a peer that stops sending (or stops reading) keeps this task, its buffers and the connection alive forever.",
    rustProcess:
      "`{{name}}().await` waits for a child process with no deadline: a child that hangs keeps this task pending forever, and the child running.",
    rustReqwest:
      "`{{name}}` sends a request on a reqwest client built without `.timeout(…)` (reqwest has no default timeout): a server that accepts the connection and never answers keeps this request pending indefinitely.",
    rustReqwestHandedOver:
      "`{{name}}(…)` is handed a reqwest client built without `.timeout(…)` (reqwest has no default timeout): the request it sends on that client waits indefinitely for a server that accepts the connection and never answers.",
    rustOneshotReply:
      "`{{name}}.await` waits for a reply with no deadline: if the task holding the sender is stuck, or keeps the sender without answering, this waits forever.",
  },
  hasSuggestions: true,
  options: {
    properties: { timeoutWrappers: timeoutWrappersOption, fixTimeoutMs: fixTimeoutMsOption },
    defaults: { timeoutWrappers: DEFAULT_WRAPPERS, fixTimeoutMs: DEFAULT_FIX_TIMEOUT_MS },
  },
  examples: {
    incorrect: [
      `use tokio::net::TcpStream;\n\nasync fn open(addr: &str) -> std::io::Result<TcpStream> {\n    TcpStream::connect(addr).await\n}`,
      `async fn fetch(url: &str) -> reqwest::Result<String> {\n    let client = reqwest::Client::new();\n    client.get(url).send().await?.text().await\n}`,
      `use tokio::sync::{mpsc, oneshot};\n\nasync fn get(actor: &mpsc::Sender<(String, oneshot::Sender<u64>)>, key: String) -> Option<u64> {\n    let (reply, answer) = oneshot::channel();\n    actor.send((key, reply)).await.ok()?;\n    answer.await.ok()\n}`,
    ],
    correct: [
      `use std::time::Duration;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\n\nasync fn open(addr: &str) -> std::io::Result<TcpStream> {\n    timeout(Duration::from_secs(3), TcpStream::connect(addr)).await?\n}`,
      `use std::time::Duration;\n\nasync fn fetch(url: &str) -> reqwest::Result<String> {\n    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;\n    client.get(url).send().await?.text().await\n}`,
      `use std::time::Duration;\nuse tokio::sync::{mpsc, oneshot};\nuse tokio::time::timeout;\n\nasync fn get(actor: &mpsc::Sender<(String, oneshot::Sender<u64>)>, key: String) -> Option<u64> {\n    let (reply, answer) = oneshot::channel();\n    actor.send((key, reply)).await.ok()?;\n    timeout(Duration::from_secs(1), answer).await.ok()?.ok()\n}`,
    ],
  },
  knownLimits: [
    "A socket kept in a struct field (`self.stream.read_buf(…)` in a connection wrapper type) is not checked: the wrapper's callers own the deadline, and they are usually in other files.",
    "Sockets are recognised by a parameter or `let` type (`TcpStream`, its halves, `BufReader`/`BufWriter` of them) or a `let` initialised from `TcpStream::connect`, `listener.accept()`, `into_split()`/`split()` or `BufReader::new`; streams behind generics (`S: AsyncRead`) or trait objects are not checked.",
    "A function counts as bounded when any of its call sites in the same file is under a deadline (directly, or through its own callers, a few levels deep); calls from other files are seen only as text, and count when `timeout` (or a configured wrapper) appears within the three lines before the call.",
    "`select!` bodies are token trees: an operation awaited inside one is not checked, and a function called there counts as bounded when the `select!` races a sleep, deadline, cancellation or shutdown signal.",
    "A reqwest client built without a timeout and passed to an awaited call (`post_graphql(&client, url, vars).await`) is reported at that call: the callee is taken to send on it, unless it is a function of the same file that sets `.timeout(…)`. A client handed to a constructor and used later through a field of another type is not followed.",
    "A reqwest client is judged only when its construction is visible: a `let`, a `static`/`Lazy`, or a struct field initialised in the same file; clients passed in as parameters are assumed to carry a timeout.",
    "A oneshot receiver is reported only when its sender is handed to another call (a message to an actor, a job) in the same function; receivers used as shutdown signals, or received as parameters, are not.",
    'A connect to a loopback address written as a literal (`"127.0.0.1:5928"`, `"[::1]:80"`) is not reported: the kernel completes or refuses a loopback handshake at once. `localhost` and addresses in variables are reported.',
    "Only Tokio's `TcpStream`/`UnixStream` connects and sockets, `tokio::process` and reqwest are recognised; async-std, hyper's client, tonic channels and database drivers are not.",
    "Test code (`#[test]`, `#[tokio::test]` and other `…test` attribute functions, `#[cfg(test)]` modules, functions and impls, files their parent declares as `#[cfg(test)] mod name;`, files under `tests/` and `benches/`) is not checked.",
    "A supervisor that waits on a long-lived child on purpose (`child.wait().await`) is reported unless the wait is raced against shutdown in `select!`.",
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    const wrappers = new Set<string>(["timeout", "timeout_at"]);
    for (const name of context.options.timeoutWrappers) {
      wrappers.add(name);
      wrappers.add(snakeCase(name));
    }
    const none: RustListeners = {};
    if (isTestFile(context.filePath)) return none;
    const checker = new Checker(context, uses, wrappers);
    return {
      await_expression(node) {
        if (isRustTestContext(node, context.filePath, context.program)) return;
        const operand = node.namedChildren[0];
        if (!operand) return;
        const finding = checker.classify(unwrapValue(operand));
        if (!finding || checker.bounded(node, 0)) return;
        context.report({
          node,
          messageId: finding.messageId,
          data: { name: finding.name },
          help: finding.help,
          suggest: timeoutSuggestion(node, operand, finding.messageId, context.options.fixTimeoutMs ?? DEFAULT_FIX_TIMEOUT_MS),
        });
      },
    };
  },
});

/** Where a socket comes from: opened or accepted in this function, or handed in. */
type Socket = "opened" | "passed" | undefined;

interface Finding {
  messageId: string;
  name: string;
  help: string;
}

/** A loopback address written out with its port: `"127.0.0.1:5928"`, `"[::1]:8080"`. */
const LOOPBACK_LITERAL = /^"(127(\.\d{1,3}){3}|\[::1\]):\d+"$/;

/**
 * `TcpStream::connect("127.0.0.1:5928")`: the kernel answers a loopback handshake itself, at once
 * (accepted into the listener's backlog, or refused when nothing listens), so the connect cannot
 * wait for the OS connect timeout. Reads and writes on the stream are still checked.
 */
function isLoopbackLiteralConnect(call: RustNode): boolean {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  const address = args.length === 1 && args[0] ? rustStripReferences(args[0]) : undefined;
  return address?.type === "string_literal" && LOOPBACK_LITERAL.test(address.text);
}

class Checker {
  private readonly functionBounded = new Map<number, boolean>();

  constructor(
    private readonly context: RustRuleContext<Options>,
    private readonly uses: ReadonlyMap<string, string>,
    private readonly wrappers: Set<string>,
  ) {}

  classify(operand: RustNode): Finding | undefined {
    if (operand.type === "identifier" || operand.type === "reference_expression") return this.oneshotReply(rustStripReferences(operand));
    if (operand.type !== "call_expression") return undefined;
    return this.classifyCall(operand) ?? this.clientHandedOver(operand);
  }

  /**
   * `post_graphql(&client, url, vars).await`: a reqwest client built here without a timeout, handed
   * to an awaited call that sends on it (a library's request helper). A function of this file that
   * sets `.timeout(…)` on its requests bounds them itself.
   */
  private clientHandedOver(call: RustNode): Finding | undefined {
    const callee = rustCallee(call);
    const name = callee.path ?? callee.method;
    if (!name) return undefined;
    for (const argument of call.childForFieldName("arguments")?.namedChildren ?? []) {
      if (!argument) continue;
      const value = rustStripReferences(argument);
      if (value.type !== "identifier" && value.type !== "call_expression") continue;
      if (this.client(value, 0) !== "missing") continue;
      const local = this.context.root
        .descendantsOfType("function_item")
        .find((fn) => fn?.childForFieldName("name")?.text === name.split("::").pop());
      if (local && /\.timeout\s*\(/.test(local.text)) return undefined;
      return {
        messageId: "rustReqwestHandedOver",
        name: name.replace(/::<.*$/, ""),
        help: "Build the client with `reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?` before handing it on, or bound this call with `tokio::time::timeout`.",
      };
    }
    return undefined;
  }

  private classifyCall(operand: RustNode): Finding | undefined {
    const callee = rustCallee(operand);
    if (callee.path) {
      const full = resolveRustPath(callee.path, this.uses);
      if (this.isTokioConnect(callee.path, full) && !isLoopbackLiteralConnect(operand)) {
        return {
          messageId: "rustConnect",
          name: callee.path,
          help: "Wrap it in `tokio::time::timeout(Duration::from_secs(3), TcpStream::connect(addr)).await`, and handle the elapsed error like a refused connection.",
        };
      }
      if (full === "reqwest::get") {
        return {
          messageId: "rustReqwest",
          name: callee.path,
          help: "`reqwest::get` uses a client with no timeout: build one with `reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?` once and reuse it.",
        };
      }
      return undefined;
    }
    if (!callee.method || !callee.receiver) return undefined;
    const args = operand.childForFieldName("arguments")?.namedChildren.length ?? 0;
    if (callee.method === "send" && args === 0) {
      const verdict = this.reqwestChain(callee.receiver, 0);
      if (verdict === "missing") {
        return {
          messageId: "rustReqwest",
          name: `${callee.method}()`,
          help: "Build the client with `reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?`, or set `.timeout(…)` on this request.",
        };
      }
      return undefined;
    }
    if (RUST_STREAM_IO_METHODS.has(callee.method) && this.socketOwnedHere(operand, this.isSocket(callee.receiver, 0))) {
      return {
        messageId: "rustSocketIo",
        name: callee.method,
        help: `Wrap it in \`tokio::time::timeout(idle_timeout, stream.${callee.method}(…)).await\`, or race it against a deadline or the shutdown signal in \`tokio::select!\`.`,
      };
    }
    if (PROCESS_WAITS.has(callee.method) && args === 0 && this.isTokioCommand(callee.receiver, 0)) {
      return {
        messageId: "rustProcess",
        name: callee.method,
        help: "Wrap it in `tokio::time::timeout(…)` and kill the child when it elapses (`kill_on_drop(true)` on the `Command` does that when the future is dropped).",
      };
    }
    return undefined;
  }

  private isLocallyDefined(name: string): boolean {
    for (const item of this.context.root.descendantsOfType(["struct_item", "enum_item", "type_item"])) {
      if (item?.childForFieldName("name")?.text === name) return true;
    }
    return false;
  }

  /** `TcpStream::connect`/`UnixStream::connect` of tokio; awaited, an unresolved one can only be async. */
  private isTokioConnect(path: string, full: string): boolean {
    const match = /(?:^|::)(TcpStream|UnixStream)::connect$/.exec(full);
    if (!match) return false;
    if (full.startsWith("tokio::")) return true;
    const first = path.split("::")[0]!;
    return path === full && !this.uses.has(first) && first === match[1] && !this.isLocallyDefined(first);
  }

  /**
   * A socket opened or accepted in this function is its to bound. One passed in as a parameter may
   * be bounded by the caller: it counts only when a caller in this file got the socket itself (not
   * as a parameter of its own) and does not run the call under a deadline, so helpers called from
   * other crates and files stay quiet.
   */
  private socketOwnedHere(operation: RustNode, socket: Socket): boolean {
    if (!socket) return false;
    if (socket === "opened") return true;
    for (let current = operation.parent; current; current = current.parent) {
      if (current.type === "function_item") return this.hasOwningCaller(current, 0);
    }
    return false;
  }

  private hasOwningCaller(fn: RustNode, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const name = fn.childForFieldName("name")?.text;
    if (!name) return false;
    for (const site of this.callSites(name)) {
      if (site.startIndex >= fn.startIndex && site.startIndex < fn.endIndex) continue;
      let caller: RustNode | null = site.parent;
      while (caller && caller.type !== "function_item") caller = caller.parent;
      if (!caller) return true;
      const passesItsOwn = (caller.childForFieldName("parameters")?.namedChildren ?? []).some(
        (parameter) => parameter?.type === "parameter" && isTypeSocket(parameter.childForFieldName("type") ?? undefined, this.uses),
      );
      if (!passesItsOwn || this.hasOwningCaller(caller, depth + 1)) return true;
    }
    return false;
  }

  private isSocket(expression: RustNode, depth: number): Socket {
    if (depth > MAX_DEPTH) return undefined;
    const node = rustStripReferences(unwrapValue(expression));
    if (node.type === "call_expression") {
      const callee = rustCallee(node);
      const first = node.childForFieldName("arguments")?.namedChildren[0];
      if (callee.path && /(^|::)(BufReader|BufWriter|BufStream)::new$/.test(callee.path))
        return first ? this.isSocket(first, depth + 1) : undefined;
      if (callee.method === "take" && callee.receiver) return this.isSocket(callee.receiver, depth + 1);
      return undefined;
    }
    if (node.type !== "identifier") return undefined;
    const binding = findRustBinding(node, node.text);
    if (!binding) return undefined;
    if (binding.kind === "parameter") return isTypeSocket(binding.type, this.uses) ? "passed" : undefined;
    if (binding.kind !== "let" || !binding.value) return undefined;
    const fromValue = this.socketValue(binding.value, binding.pattern, binding.name, depth);
    if (fromValue) return fromValue;
    return binding.type && isTypeSocket(binding.type, this.uses) ? "opened" : undefined;
  }

  /** Does `let <pattern> = <value>` bind `name` to a socket? */
  private socketValue(value: RustNode, pattern: RustNode, name: RustNode, depth: number): Socket {
    const inner = unwrapResult(value);
    const isFirstOfTuple = pattern.type === "tuple_pattern" && rustPatternNames(pattern.namedChildren[0] ?? pattern)[0]?.equals(name);
    if (pattern.type !== "tuple_pattern") {
      for (const node of rustDescendants(value)) {
        if (node.type !== "call_expression") continue;
        const callee = rustCallee(node);
        if (callee.path && this.isTokioConnect(callee.path, resolveRustPath(callee.path, this.uses))) return "opened";
      }
      return this.isSocket(inner, depth + 1);
    }
    if (inner.type !== "call_expression") return undefined;
    const callee = rustCallee(inner);
    // let (socket, peer) = listener.accept().await?;
    if (callee.method === "accept" && isFirstOfTuple && inner.childForFieldName("arguments")?.namedChildren.length === 0) return "opened";
    // let (reader, writer) = stream.into_split();  /  tokio::io::split(stream)
    if ((callee.method === "into_split" || callee.method === "split") && callee.receiver) return this.isSocket(callee.receiver, depth + 1);
    if (callee.path && /(^|::)io::split$|^split$/.test(resolveRustPath(callee.path, this.uses))) {
      const first = inner.childForFieldName("arguments")?.namedChildren[0];
      return first ? this.isSocket(first, depth + 1) : undefined;
    }
    return undefined;
  }

  private isTokioCommand(expression: RustNode, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    let node = rustStripReferences(unwrapResult(expression));
    for (let steps = 0; steps < 30; steps++) {
      if (node.type === "call_expression") {
        const callee = rustCallee(node);
        if (callee.path) {
          const full = resolveRustPath(callee.path, this.uses);
          if (full === "tokio::process::Command::new") return true;
          const first = callee.path.split("::")[0]!;
          return callee.path === "Command::new" && !this.uses.has("Command") && !this.isLocallyDefined("Command") && first === "Command";
        }
        if (!callee.receiver) return false;
        node = rustStripReferences(unwrapResult(callee.receiver));
        continue;
      }
      if (node.type === "identifier") {
        const binding = findRustBinding(node, node.text);
        if (!binding) return false;
        if (binding.kind === "parameter") {
          const type = binding.type?.text.replace(/\s+/g, "").replace(/^&(mut)?/, "");
          if (!type) return false;
          const first = type.split("::")[0]!;
          return (
            /^(tokio::process::)?(Child|Command)$/.test(type) &&
            (type.startsWith("tokio::") || (this.uses.get(first) ?? "").startsWith("tokio::process::"))
          );
        }
        if (binding.kind !== "let" || !binding.value || (binding.pattern.type !== "identifier" && binding.pattern.type !== "mut_pattern"))
          return false;
        return this.isTokioCommand(binding.value, depth + 1);
      }
      return false;
    }
    return false;
  }

  /**
   * The request chain before `.send()`: "ok" with a `.timeout(…)` on the request or a client
   * built with one, "missing" for a visible client built without, "unknown" otherwise.
   */
  private reqwestChain(receiver: RustNode, depth: number): "ok" | "missing" | "unknown" {
    if (depth > MAX_DEPTH) return "unknown";
    let node = rustStripReferences(unwrapResult(receiver));
    for (let steps = 0; steps < 30; steps++) {
      if (node.type === "call_expression") {
        const callee = rustCallee(node);
        if (!callee.method || !callee.receiver) return "unknown";
        if (callee.method === "timeout") return "ok";
        if (HTTP_VERBS.has(callee.method)) return this.client(callee.receiver, depth);
        node = rustStripReferences(unwrapResult(callee.receiver));
        continue;
      }
      if (node.type === "identifier") {
        const binding = findRustBinding(node, node.text);
        if (binding?.kind !== "let" || !binding.value || binding.pattern.type !== "identifier") return "unknown";
        return this.reqwestChain(binding.value, depth + 1);
      }
      return "unknown";
    }
    return "unknown";
  }

  private isReqwestPath(path: string): boolean {
    const full = resolveRustPath(path, this.uses);
    return /^reqwest::(Client::(new|default|builder)|ClientBuilder::new)$/.test(full);
  }

  /** Judges the client a request is made on. */
  private client(expression: RustNode, depth: number): "ok" | "missing" | "unknown" {
    if (depth > MAX_DEPTH) return "unknown";
    const node = rustStripReferences(unwrapResult(expression));
    if (node.type === "call_expression") {
      // Client::new(), Client::builder()….build()
      let hasTimeout = false;
      let current: RustNode = node;
      for (let steps = 0; steps < 30; steps++) {
        const callee = rustCallee(current);
        if (callee.path) {
          if (!this.isReqwestPath(callee.path)) return "unknown";
          return hasTimeout ? "ok" : "missing";
        }
        if (!callee.receiver) return "unknown";
        if (callee.method === "timeout" || callee.method === "read_timeout") hasTimeout = true;
        const next = unwrapResult(callee.receiver);
        if (next.type !== "call_expression") return "unknown";
        current = next;
      }
      return "unknown";
    }
    if (node.type === "identifier") {
      const binding = findRustBinding(node, node.text);
      if (binding) {
        if (binding.kind !== "let" || !binding.value || binding.pattern.type !== "identifier") return "unknown";
        return this.client(binding.value, depth + 1);
      }
      return this.staticClient(node.text, depth);
    }
    if (node.type === "field_expression") {
      const field = node.childForFieldName("field")?.text;
      return field ? this.fieldClient(field, depth) : "unknown";
    }
    if (node.type === "scoped_identifier") return "unknown";
    return "unknown";
  }

  /** `static CLIENT: Lazy<Client> = Lazy::new(Client::new);` and the like. */
  private staticClient(name: string, depth: number): "ok" | "missing" | "unknown" {
    for (const item of this.context.root.descendantsOfType(["static_item", "const_item"])) {
      if (item?.childForFieldName("name")?.text !== name) continue;
      const value = item.childForFieldName("value");
      if (!value) return "unknown";
      for (const node of rustDescendants(value)) {
        if (node.type === "call_expression") {
          const verdict = this.client(node, depth + 1);
          if (verdict !== "unknown") return verdict;
        }
        // Lazy::new(Client::new)
        if (
          node.type === "scoped_identifier" &&
          node.parent?.type === "arguments" &&
          /(^|::)Client::new$/.test(resolveRustPath(node.text.replace(/\s+/g, ""), this.uses)) &&
          resolveRustPath(node.text.replace(/\s+/g, ""), this.uses).startsWith("reqwest::")
        ) {
          return "missing";
        }
      }
      return "unknown";
    }
    return "unknown";
  }

  /** A field every visible initialiser of which (`Self { client: Client::new(), … }`) lacks a timeout. */
  private fieldClient(field: string, depth: number): "ok" | "missing" | "unknown" {
    let verdict: "ok" | "missing" | "unknown" = "unknown";
    for (const initializer of this.context.root.descendantsOfType(["field_initializer", "shorthand_field_initializer"])) {
      if (!initializer) continue;
      let value: RustNode | null;
      if (initializer.type === "field_initializer") {
        if (initializer.childForFieldName("field")?.text !== field) continue;
        value = initializer.childForFieldName("value");
      } else {
        value = initializer.namedChildren[0];
        if (value?.text !== field) continue;
      }
      if (!value) return "unknown";
      const judged = this.client(value, depth + 1);
      if (judged !== "missing") return judged === "ok" ? "ok" : "unknown";
      verdict = "missing";
    }
    return verdict;
  }

  /** `rx.await` on the receiver of a `oneshot::channel()` whose sender went out with a request. */
  private oneshotReply(node: RustNode): Finding | undefined {
    if (node.type !== "identifier") return undefined;
    const binding = findRustBinding(node, node.text);
    if (binding?.kind !== "let" || !binding.value || binding.pattern.type !== "tuple_pattern") return undefined;
    const [senderPattern, receiverPattern] = binding.pattern.namedChildren;
    if (!senderPattern || !receiverPattern || !rustPatternNames(receiverPattern)[0]?.equals(binding.name)) return undefined;
    const channel = unwrapValue(binding.value);
    if (channel.type !== "call_expression") return undefined;
    const path = rustCallee(channel).path;
    if (!path) return undefined;
    const full = resolveRustPath(path, this.uses);
    if (!/(^|::)oneshot::channel$/.test(full) || /^(std|crossbeam)/.test(full)) return undefined;
    const sender = rustPatternNames(senderPattern)[0]?.text;
    if (!sender || SIGNAL_NAME.test(sender) || SIGNAL_NAME.test(node.text)) return undefined;
    // A receiver moved into another future (`with_graceful_shutdown(async { rx.await.ok(); })`) is a signal, not a reply.
    const here = enclosingRustAsync(node);
    const home = enclosingRustAsync(binding.declaration);
    if (!here || !home || !here.equals(home)) return undefined;
    const block = binding.declaration.parent;
    if (!block || !this.senderHandedOver(block, sender, binding.declaration)) return undefined;
    return {
      messageId: "rustOneshotReply",
      name: node.text,
      help: `Bound the wait: \`tokio::time::timeout(Duration::from_secs(5), ${node.text}).await\`, and treat an elapsed deadline like a dropped sender.`,
    };
  }

  /** Is the sender passed (in a message, a tuple or directly) as an argument of a call after its `let`? */
  private senderHandedOver(block: RustNode, sender: string, declaration: RustNode): boolean {
    for (const node of rustDescendants(block)) {
      if (node.startIndex < declaration.endIndex) continue;
      if (node.type !== "identifier" && node.type !== "shorthand_field_initializer") continue;
      if (node.text !== sender) continue;
      for (let current = node.parent; current && !current.equals(block); current = current.parent) {
        if (current.type === "async_block" || current.type === "closure_expression") break;
        if (current.type === "arguments") return true;
        if (
          ![
            "struct_expression",
            "field_initializer_list",
            "field_initializer",
            "shorthand_field_initializer",
            "tuple_expression",
            "call_expression",
            "array_expression",
          ].includes(current.type)
        )
          break;
      }
    }
    return false;
  }

  private isWrapperCall(call: RustNode): boolean {
    const callee = rustCallee(call);
    const name = callee.path?.split("::").pop() ?? callee.method;
    return !!name && this.wrappers.has(name);
  }

  /**
   * Is the await at `node` under a deadline: inside a future handed to `timeout(…)` (or a configured
   * wrapper), or in a function that some caller runs under one?
   */
  bounded(node: RustNode, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    let child = node;
    for (let current = node.parent; current; child = current, current = current.parent) {
      if (current.type === "arguments" && current.parent?.type === "call_expression") {
        const call = current.parent;
        if (this.isWrapperCall(call)) return true;
        const callee = rustCallee(call);
        if (
          (child.type === "async_block" || child.type === "closure_expression") &&
          ((callee.path && SPAWNS.test(callee.path)) || (callee.method && SPAWNS.test(callee.method)))
        )
          return false;
      }
      if (
        current.type === "field_expression" &&
        current.childForFieldName("field")?.text === "timeout" &&
        current.parent?.type === "call_expression"
      )
        return true;
      if ((child.type === "async_block" || child.type === "closure_expression") && current.type === "let_declaration") {
        const pattern = current.childForFieldName("pattern");
        if (pattern?.type === "identifier" && this.futureBoundedLater(current, pattern.text)) return true;
      }
      if (current.type === "function_item") return this.functionIsBounded(current, depth);
    }
    return false;
  }

  /** `let work = async { … }; timeout(d, work).await` or a `select!` racing `work` against a sleep. */
  private futureBoundedLater(declaration: RustNode, name: string): boolean {
    const block = declaration.parent;
    if (!block) return false;
    for (const node of rustDescendants(block)) {
      if (node.startIndex < declaration.endIndex || node.type !== "identifier" || node.text !== name) continue;
      const parent = node.parent;
      if (parent?.type === "arguments" && parent.parent?.type === "call_expression" && this.isWrapperCall(parent.parent)) return true;
      const macro = this.enclosingSelect(node);
      if (macro && RACE_BOUND.test(macro.text)) return true;
    }
    return false;
  }

  private enclosingSelect(node: RustNode): RustNode | undefined {
    for (let current = node.parent; current; current = current.parent) {
      if (current.type === "macro_invocation") {
        const name = current.childForFieldName("macro")?.text.replace(/\s+/g, "") ?? "";
        return /(^|::)select$/.test(name) ? current : undefined;
      }
      if (current.type !== "token_tree") return undefined;
    }
    return undefined;
  }

  private functionIsBounded(fn: RustNode, depth: number): boolean {
    const cached = this.functionBounded.get(fn.id);
    if (cached !== undefined) return cached;
    // Recursion guard: a function calling itself does not bound itself.
    this.functionBounded.set(fn.id, false);
    const name = fn.childForFieldName("name")?.text;
    let result = false;
    if (name && name !== "main") {
      for (const site of this.callSites(name)) {
        if (site.type === "identifier") {
          // A call inside a macro's token tree: only `select!` with a racing bound counts, else look around the macro.
          const macro = this.enclosingSelect(site);
          if (macro && RACE_BOUND.test(macro.text)) {
            result = true;
            break;
          }
          let outer: RustNode | null = site.parent;
          while (outer && outer.type === "token_tree") outer = outer.parent;
          if (outer && this.bounded(outer, depth + 1)) {
            result = true;
            break;
          }
          continue;
        }
        if (this.bounded(site, depth + 1)) {
          result = true;
          break;
        }
      }
      if (!result) result = this.boundedInOtherFiles(name);
    }
    this.functionBounded.set(fn.id, result);
    return result;
  }

  /** Calls of a function or method by name in this file: call expressions, and identifiers in macro token trees. */
  private callIndex?: Map<string, RustNode[]>;

  /**
   * Calls of a function or method by name in this file: call expressions, and identifiers in macro
   * token trees, in source order. Found with `descendantsOfType`, which searches inside the parser
   * and hands back only the matches: a cursor walk would wrap every node of the file.
   */
  private callSites(name: string): RustNode[] {
    // Names come from this file's own `fn` items: a name written only once is that definition, never called.
    if (!this.callIndex && !mentionedTwice(this.context.source, name)) return [];
    if (!this.callIndex) {
      const sites: { called: string; node: RustNode }[] = [];
      for (const node of this.context.root.descendantsOfType("call_expression")) {
        if (!node) continue;
        const callee = rustCallee(node);
        const called = callee.path?.split("::").pop() ?? callee.method;
        if (called) sites.push({ called, node });
      }
      for (const tree of this.context.root.descendantsOfType("token_tree")) {
        const children = tree?.children ?? [];
        children.forEach((child, index) => {
          const next = children[index + 1];
          if (child?.type === "identifier" && next?.type === "token_tree" && next.text.startsWith("("))
            sites.push({ called: child.text, node: child });
        });
      }
      sites.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
      const index = new Map<string, RustNode[]>();
      for (const { called, node } of sites) {
        const list = index.get(called);
        if (list) list.push(node);
        else index.set(called, [node]);
      }
      this.callIndex = index;
    }
    return this.callIndex.get(name) ?? [];
  }

  /** Whether another file of the run calls `name` with a deadline wrapper in the three lines before the call. */
  private boundedInOtherFiles(name: string): boolean {
    const files = deadlineCallers(this.context.program, this.wrappers).get(name);
    if (!files) return false;
    for (const path of files) if (path !== this.context.filePath) return true;
    return false;
  }
}
