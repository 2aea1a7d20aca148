import {
  isRustTestContext,
  rustCallee,
  rustTargetFiles,
  defineRustRule,
  type RustListeners,
  type RustNode,
  type RustRuleContext,
} from "../../src/lint/rust-api.js";

/** Any of these anywhere in the run's Rust files is a shutdown path the accept loop can be tied to. */
const SHUTDOWN_SIGNS =
  /\bctrl_c\s*\(|SignalKind::(terminate|interrupt|hangup)\b|\bCancellationToken\b|with_graceful_shutdown\s*\(|\bsignal_hook(_tokio)?::|\bshutdown_signal\b|\bgraceful_shutdown\s*\(/;
const HAS_MAIN = /\bfn\s+main\s*\(/;
const LOOPS = new Set(["loop_expression", "while_expression", "for_expression"]);

/** Whether a binary target has a `fn main` and no shutdown sign, per target's file list: its files all ask the same question. */
const NEEDS_SHUTDOWN_PATH = new WeakMap<RustRuleContext<unknown>["program"]["files"], boolean>();

/** The code of a Rust file without its comments (strings kept), so a comment that names `ctrl_c` is no handler. */
function withoutComments(text: string): string {
  return text.replace(/'(?:\\.|[^'\\])'|"(?:\\.|[^"\\])*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match) => (match.startsWith("/") ? " " : match));
}

/**
 * Decided per crate and binary target: a handler in one crate, or in one `src/bin/*.rs` binary, says
 * nothing about another's accept loop.
 */
function needsShutdownPath(filePath: string, program: RustRuleContext<unknown>["program"]): boolean {
  const files = rustTargetFiles(filePath, program);
  let needs = NEEDS_SHUTDOWN_PATH.get(files);
  if (needs === undefined) {
    const code = files.map((file) => withoutComments(file.text));
    needs = code.some((text) => HAS_MAIN.test(text)) && !code.some((text) => SHUTDOWN_SIGNS.test(text));
    NEEDS_SHUTDOWN_PATH.set(files, needs);
  }
  return needs;
}

function enclosingLoop(node: RustNode): RustNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (LOOPS.has(current.type)) return current;
    if (current.type === "function_item" || current.type === "closure_expression" || current.type === "async_block") return undefined;
  }
  return undefined;
}

function isAwaited(call: RustNode): boolean {
  return call.parent?.type === "await_expression";
}

export default defineRustRule<unknown>({
  instead:
    "Listen for `tokio::signal::ctrl_c()` and SIGTERM (`tokio::signal::unix::signal(SignalKind::terminate())`), broadcast it with a `CancellationToken` or a watch channel, `select!` it against `accept()` (or pass it to hyper's `with_graceful_shutdown`), then drain in-flight connections and tasks with a deadline before returning from `main`.",
  messages: {
    rustAcceptLoop:
      "This accept loop runs until the process is killed: nothing in the program listens for ctrl_c or SIGTERM, so every deploy cuts in-flight connections off mid-request.",
    rustServeForever:
      "This server is served without `with_graceful_shutdown` and nothing in the program listens for ctrl_c or SIGTERM: every deploy drops in-flight requests.",
  },
  examples: {
    incorrect: [
      `use tokio::net::TcpListener;\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    let listener = TcpListener::bind("0.0.0.0:8080").await?;\n    loop {\n        let (socket, _) = listener.accept().await?;\n        tokio::spawn(async move { serve(socket).await });\n    }\n}`,
    ],
    correct: [
      `use tokio::net::TcpListener;\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    let listener = TcpListener::bind("0.0.0.0:8080").await?;\n    let shutdown = tokio::signal::ctrl_c();\n    tokio::pin!(shutdown);\n    loop {\n        tokio::select! {\n            accepted = listener.accept() => {\n                let (socket, _) = accepted?;\n                tokio::spawn(async move { serve(socket).await });\n            }\n            _ = &mut shutdown => break,\n        }\n    }\n    Ok(())\n}`,
    ],
  },
  knownLimits: [
    "Any ctrl_c, SIGTERM signal stream, CancellationToken or `with_graceful_shutdown` in the same binary target counts as a shutdown path; the rule does not prove the accept loop observes it. A target is one crate's `src/bin/<name>` (or `examples/<name>`) files plus the crate's shared files (src/main.rs, src/lib.rs and their modules); shared files see only the shared ones, so a handler in one binary or one crate of a workspace does not hide another's missing one.",
    "Library crates (no `fn main` in the target's files) are not reported: their callers own shutdown.",
    "Accept loops written inside `tokio::select!` are macro tokens to the parser and are not seen; that form usually has a shutdown branch anyway.",
    "Test code is not reported: `#[test]`/`#[tokio::test]` and other `…test` attribute functions, `#[cfg(test)]` modules, functions and impls, and files their parent declares as `#[cfg(test)] mod name;` (Rust files under a test directory are a file role of the engine).",
  ],
  create(context): RustListeners {
    if (!needsShutdownPath(context.filePath, context.program)) return {};
    let reportedLoop: RustNode | undefined;
    return {
      call_expression(node) {
        const callee = rustCallee(node);
        if (
          (callee.method === "accept" || callee.method === "serve" || callee.path === "axum::serve") &&
          isRustTestContext(node, context.filePath, context.program)
        )
          return;
        if (callee.method === "accept" && isAwaited(node)) {
          const loop = enclosingLoop(node);
          if (!loop || (reportedLoop && reportedLoop.equals(loop))) return;
          reportedLoop = loop;
          context.report({
            node,
            messageId: "rustAcceptLoop",
            help: "Listen for `tokio::signal::ctrl_c()` (and SIGTERM via `tokio::signal::unix::signal(SignalKind::terminate())`), broadcast it (watch channel or CancellationToken), `select!` it against `accept()`, then drain the connection tasks with a deadline.",
          });
          return;
        }
        const servesForever =
          isAwaited(node) &&
          ((callee.method === "serve" && /Server::(bind|from_tcp|builder)|hyper::Server/.test(callee.receiver?.text ?? "")) ||
            callee.path === "axum::serve");
        if (servesForever) {
          context.report({
            node,
            messageId: "rustServeForever",
            help: "Chain `.with_graceful_shutdown(shutdown_signal())`, where `shutdown_signal` awaits `tokio::signal::ctrl_c()` or SIGTERM, so the server stops accepting and finishes in-flight requests.",
          });
        }
      },
    };
  },
});
