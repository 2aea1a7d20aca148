import {
  isRustAsync,
  enclosingRustAsync,
  isRustOffloadingCall,
  isRustStartupCode,
  isRustTestContext,
  rustDescendants,
  resolveRustPath,
  rustCallee,
  rustUseMap,
  defineRustRule,
  type RustNode,
  type RustRuleContext,
} from "../../src/lint/rust-api.js";

/** Blocking std APIs by full path → what to use on the async runtime instead. */
const BLOCKING_PATHS: [RegExp, string][] = [
  [/^std::thread::sleep$/, "`tokio::time::sleep(d).await`"],
  [
    /^std::fs::(read|read_to_string|read_dir|write|copy|rename|remove_file|remove_dir|remove_dir_all|create_dir|create_dir_all|metadata|canonicalize|hard_link|read_link|set_permissions|symlink_metadata)$/,
    "the same function in `tokio::fs`",
  ],
  [/^std::fs::File::(open|create|options)$/, "`tokio::fs::File`"],
  [/^std::fs::OpenOptions::new$/, "`tokio::fs::OpenOptions`"],
  [/^std::net::(TcpStream::connect|TcpStream::connect_timeout|TcpListener::bind|UdpSocket::bind)$/, "`tokio::net`"],
  [/^std::io::stdin$/, "`tokio::io::stdin()`"],
  [/^reqwest::blocking::/, "the async `reqwest::Client`"],
  [/^ureq::(get|post|put|delete|request|agent)$/, "an async HTTP client (reqwest) or `spawn_blocking`"],
  [
    /^tempfile::(tempdir|tempdir_in|tempfile|tempfile_in|NamedTempFile::new|NamedTempFile::new_in|TempDir::new|TempDir::new_in)$/,
    "`spawn_blocking`",
  ],
  // rustls-pki-types `PemObject::from_pem_file` / `pem_file_iter` read the file synchronously.
  [
    /(^|::)(PrivateKeyDer|CertificateDer|PrivatePkcs8KeyDer|PrivatePkcs1KeyDer|PrivateSec1KeyDer|CertificateRevocationListDer)::(from_pem_file|pem_file_iter)$/,
    "`tokio::fs::read` then `from_pem_slice`, or `spawn_blocking`",
  ],
];

/** Builder chains whose last method does blocking file-system work: `tempfile::Builder::new().prefix(p).tempdir()`. */
const BLOCKING_BUILDERS: { root: string; methods: readonly string[]; name: string }[] = [
  { root: "tempfile::Builder::new", methods: ["tempdir", "tempdir_in", "tempfile", "tempfile_in"], name: "tempfile::Builder" },
];

function blockingAlternative(path: string): string | undefined {
  for (const [pattern, alternative] of BLOCKING_PATHS) if (pattern.test(path)) return alternative;
  return undefined;
}

/** The full path of the call a method chain starts from (`std::process::Command::new` for `Command::new(..).arg(..).output()`). */
function chainRoot(call: RustNode, uses: ReadonlyMap<string, string>): string | undefined {
  for (let receiver = rustCallee(call).receiver; receiver?.type === "call_expression";) {
    const inner = rustCallee(receiver);
    if (inner.path) return resolveRustPath(inner.path, uses);
    receiver = inner.receiver;
  }
  return undefined;
}

/** `std::process::Command::new(..)…` chains ending in `.output()`, `.status()` or `.wait()`. */
function isStdCommandWait(call: RustNode, uses: ReadonlyMap<string, string>): boolean {
  const callee = rustCallee(call);
  if (!callee.method || !["output", "status", "wait", "wait_with_output"].includes(callee.method)) return false;
  return chainRoot(call, uses) === "std::process::Command::new";
}

/** A builder chain that ends in blocking work (`tempfile::Builder::new().tempdir()`): the builder's name. */
function blockingBuilder(call: RustNode, uses: ReadonlyMap<string, string>): string | undefined {
  const method = rustCallee(call).method;
  if (!method) return undefined;
  const builder = BLOCKING_BUILDERS.find((candidate) => candidate.methods.includes(method));
  return builder && chainRoot(call, uses) === builder.root ? `${builder.name}…${method}()` : undefined;
}

/**
 * The async body this node runs in, seen through plain closures (an iterator `map` inside an
 * `async fn` still runs on the runtime thread), but not through closures handed to
 * `spawn_blocking`, `block_in_place`, `std::thread::spawn`, or to a function of the crate that
 * passes its parameter on to one of those (tokio's `asyncify(f)`): they exist to run blocking code.
 */
function runsOnRuntime(node: RustNode, uses: ReadonlyMap<string, string>, context: RustRuleContext<unknown>): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "async_block") return true;
    if (current.type === "function_item") return isRustAsync(current);
    if (current.type === "closure_expression") {
      if (isRustAsync(current)) return true;
      const call = current.parent?.type === "arguments" ? current.parent.parent : undefined;
      if (call?.type === "call_expression" && isRustOffloadingCall(call, uses, context.filePath, context.program)) return false;
    }
  }
  return false;
}

/** An IP address with a port, written out: `127.0.0.1:0`, `0.0.0.0:8080`, `[::]:0`, `[::1]:443`. */
const LITERAL_SOCKET_ADDRESS = /^"(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]*\]):\d+"$/;
/** Address values built from IPs, never from host names: `SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)`, `(Ipv4Addr::UNSPECIFIED, 0)`. */
const IP_CONSTRUCTOR = /^(std::net::|net::)?(SocketAddr(V4|V6)?|IpAddr|Ipv4Addr|Ipv6Addr)\b/;

/**
 * `std::net::TcpListener::bind("127.0.0.1:0")`: binding a socket to an address written as an IP is a
 * few system calls that return at once; only a host name (`"localhost:80"`, a variable) goes through
 * blocking name resolution.
 */
function isLiteralAddressBind(call: RustNode, full: string): boolean {
  if (!/^std::net::(TcpListener|UdpSocket)::bind$/.test(full)) return false;
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  if (args.length !== 1 || !args[0]) return false;
  let address = args[0];
  // `"[::]:0".parse().unwrap()`
  while (address.type === "call_expression") {
    const callee = rustCallee(address);
    if (!callee.receiver || !["parse", "unwrap", "expect"].includes(callee.method ?? "")) break;
    address = callee.receiver;
  }
  if (address.type === "string_literal") return LITERAL_SOCKET_ADDRESS.test(address.text);
  if (address.type === "tuple_expression") return IP_CONSTRUCTOR.test(address.namedChildren[0]?.text ?? "");
  return address.type === "call_expression" && IP_CONSTRUCTOR.test(address.text);
}

/** The blocking call a node makes itself (a std/blocking API, a blocking builder or a waited `std::process::Command`): its name. */
function directBlockingName(call: RustNode, uses: ReadonlyMap<string, string>): string | undefined {
  const callee = rustCallee(call);
  if (callee.path) {
    const full = resolveRustPath(callee.path, uses);
    return blockingAlternative(full) && !isLiteralAddressBind(call, full) ? callee.path : undefined;
  }
  return blockingBuilder(call, uses) ?? (isStdCommandWait(call, uses) ? `Command::${callee.method}` : undefined);
}

/**
 * A plain (not async) `fn` of this file called by a bare name from async code, and the blocking call
 * its own body makes (`fn load_tls_config() { PrivateKeyDer::from_pem_file(..) }`): one level deep,
 * not through closures (they may be handed to `spawn_blocking`).
 */
function blockingHelperCall(
  call: RustNode,
  helpers: () => Map<string, RustNode[]>,
  uses: ReadonlyMap<string, string>,
  cache: Map<string, string | null>,
): string | undefined {
  const path = rustCallee(call).path;
  if (!path || path.includes("::")) return undefined;
  let found = cache.get(path);
  if (found === undefined) {
    found = null;
    const named = helpers().get(path);
    const helper = named?.length === 1 ? named[0] : undefined;
    const body = helper && !isRustAsync(helper) ? helper.childForFieldName("body") : undefined;
    if (body) {
      const stack: RustNode[] = [body];
      while (stack.length > 0 && found === null) {
        const node = stack.pop()!;
        if (node.type === "closure_expression" || node.type === "async_block" || node.type === "function_item") continue;
        if (node.type === "call_expression") found = directBlockingName(node, uses) ?? null;
        for (const child of node.namedChildren) if (child) stack.push(child);
      }
    }
    cache.set(path, found);
  }
  return found ?? undefined;
}

/** The file's `fn` items by name. */
function functionsByName(root: RustNode): Map<string, RustNode[]> {
  const byName = new Map<string, RustNode[]>();
  for (const node of rustDescendants(root)) {
    if (node.type !== "function_item") continue;
    const name = node.childForFieldName("name")?.text;
    if (name) byName.set(name, [...(byName.get(name) ?? []), node]);
  }
  return byName;
}

/**
 * `call` → `tokio::task::spawn_blocking(move || call).await.expect(…)`: same value, run on the
 * blocking pool. Only where `.await` is allowed (directly in an async fn or block). The closure moves
 * what it uses, so borrowed values need an owned copy first: a suggestion, not a fix.
 */
function spawnBlockingSuggestion(call: RustNode) {
  const body = enclosingRustAsync(call);
  if (!body || body.type === "closure_expression") return undefined;
  return [
    {
      desc: "Run it on Tokio's blocking pool with tokio::task::spawn_blocking (values it uses are moved into the closure)",
      fix: {
        range: [call.startIndex, call.endIndex] as [number, number],
        text: `tokio::task::spawn_blocking(move || ${call.text}).await.expect("the blocking task panicked")`,
      },
    },
  ];
}

export default defineRustRule<unknown>({
  instead:
    "Use the Tokio equivalent and await it (`tokio::fs` for `std::fs`, `tokio::time::sleep` for `std::thread::sleep`, `tokio::process::Command` for `std::process::Command`), or move the blocking work into `tokio::task::spawn_blocking` so it runs on the blocking pool instead of a runtime worker.",
  hasSuggestions: true,
  messages: {
    rustBlocking:
      "`{{name}}` blocks the runtime's worker thread inside async code: every other task scheduled on that thread stalls until it returns.",
  },
  examples: {
    incorrect: [
      `async fn handle(path: &str) -> std::io::Result<String> {\n    let body = std::fs::read_to_string(path)?;\n    Ok(body)\n}`,
      `async fn backoff(attempt: u32) {\n    std::thread::sleep(std::time::Duration::from_millis(100 * attempt as u64));\n}`,
    ],
    correct: [
      `async fn handle(path: &str) -> std::io::Result<String> {\n    tokio::fs::read_to_string(path).await\n}`,
      `async fn hash(data: Vec<u8>) -> u64 {\n    tokio::task::spawn_blocking(move || {\n        std::thread::sleep(std::time::Duration::from_millis(1));\n        data.len() as u64\n    })\n    .await\n    .unwrap()\n}`,
    ],
  },
  knownLimits: [
    "Only calls lexically inside an `async fn`, `async` block or async closure are seen (through plain closures); a sync helper that blocks and is called from async code is not followed.",
    "`std::fs` used through a local alias binding (`let read = std::fs::read;`) is not recognised.",
    "A closure counts as off the runtime when it is handed to `spawn_blocking`, `block_in_place`, `std::thread::spawn`/`scope`, or to a function of the linted files that passes its parameter on to one of those (tokio's `asyncify(f)`, also through a wrapper of a wrapper). Wrappers are matched by name (module checked for `crate::` paths), and only when the closure is an argument of the call; one that stores the closure in a struct or sends it down a channel is not followed.",
    "Test code is not reported: `#[test]`/`#[tokio::test]` and other `…test` attribute functions, `#[cfg(test)]` modules, functions and impls, and files their parent declares as `#[cfg(test)] mod name;`.",
    "Start-up code is not reported: a blocking call in a program's entry future (a `#[tokio::main]`-style function, or the `async` block `fn main` hands to `block_on`) before its first `.await` and first `spawn…(` call, outside any loop. A task a library call starts internally before that point is not seen.",
    '`std::net` `bind` on an address written as an IP (`"127.0.0.1:0"`, `"[::]:0"`, `SocketAddr::new(…)`, `(Ipv4Addr::UNSPECIFIED, 0)`) is not reported: it resolves no name and returns at once. An address in a variable is reported, since it may be a host name.',
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    /** Tests block their own runtime on purpose; start-up code runs before any other task exists. */
    const exempt = (node: RustNode) => isRustTestContext(node, context.filePath, context.program) || isRustStartupCode(node);
    const helperResults = new Map<string, string | null>();
    let byName: Map<string, RustNode[]> | undefined;
    const helpers = () => (byName ??= functionsByName(context.root));
    return {
      // Every call of the file comes here: match the callee first, walk the ancestors only for a blocking one.
      call_expression(node) {
        const callee = rustCallee(node);
        if (callee.path) {
          const full = resolveRustPath(callee.path, uses);
          const alternative = blockingAlternative(full);
          if (alternative && !isLiteralAddressBind(node, full) && runsOnRuntime(node, uses, context) && !exempt(node)) {
            context.report({
              node: node.childForFieldName("function") ?? node,
              messageId: "rustBlocking",
              data: { name: callee.path },
              help: `Use ${alternative}, or move the blocking work into \`tokio::task::spawn_blocking\`.`,
              suggest: spawnBlockingSuggestion(node),
            });
            return;
          }
          const inner = !alternative && blockingHelperCall(node, helpers, uses, helperResults);
          if (inner && runsOnRuntime(node, uses, context) && !exempt(node)) {
            context.report({
              node: node.childForFieldName("function") ?? node,
              messageId: "rustBlocking",
              data: { name: `${callee.path}(…)` },
              help: `\`${callee.path}\` calls \`${inner}\`, which blocks: make the helper async (tokio equivalents), or call it inside \`tokio::task::spawn_blocking\`.`,
            });
          }
          return;
        }
        const builder = blockingBuilder(node, uses);
        if (builder && runsOnRuntime(node, uses, context) && !exempt(node)) {
          context.report({
            node,
            messageId: "rustBlocking",
            data: { name: builder },
            help: "Create it inside `tokio::task::spawn_blocking` (its file-system calls block).",
          });
          return;
        }
        if (isStdCommandWait(node, uses) && runsOnRuntime(node, uses, context) && !exempt(node)) {
          context.report({
            node,
            messageId: "rustBlocking",
            data: { name: `Command::${callee.method}` },
            help: "Use `tokio::process::Command` (with a timeout), or run it in `tokio::task::spawn_blocking`.",
            suggest: spawnBlockingSuggestion(node),
          });
        }
      },
    };
  },
});
