import {
  resolveRustPath,
  rustCallee,
  rustDescendants,
  rustUseMap,
  type RustImplementation,
  type RustNode,
} from "../../src/lint/api.js";

const SPAWN_PATHS = new Set(["tokio::spawn", "tokio::task::spawn", "tokio::task::spawn_local"]);
const LOOPS = new Set(["for_expression", "while_expression", "loop_expression"]);
const BOUNDARIES = new Set(["function_item", "closure_expression", "async_block"]);
/** Calls in a loop body that bound how many tasks run at once. */
const LIMITERS = /\.(acquire|acquire_owned|acquire_many|acquire_many_owned|try_acquire|try_acquire_owned)\s*\(|\.join_next\s*\(|\.buffer_unordered\s*\(|\.buffered\s*\(|\.reserve\s*\(/;

function isSpawn(call: RustNode, uses: ReadonlyMap<string, string>): boolean {
  const callee = rustCallee(call);
  if (callee.path) return SPAWN_PATHS.has(resolveRustPath(callee.path, uses));
  // JoinSet::spawn: a limit is only real with a join_next() in the loop, checked by the caller.
  return callee.method === "spawn" && !!callee.receiver && /set|tasks|join/i.test(callee.receiver.text);
}

/** The loop whose body directly (not through a nested fn/closure/async block) contains `node`. */
function enclosingLoop(node: RustNode): RustNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (LOOPS.has(current.type)) return current;
    if (BOUNDARIES.has(current.type)) return undefined;
  }
  return undefined;
}

/** `0..4`, `[a, b, c]`, `1..=3`: a loop over a small constant set spawns a fixed number of tasks. */
function isSmallConstantIteration(loop: RustNode): boolean {
  if (loop.type !== "for_expression") return false;
  const value = loop.childForFieldName("value");
  if (!value) return false;
  if (value.type === "array_expression") return value.namedChildCount <= 16;
  if (value.type === "range_expression") {
    const numbers = value.namedChildren.filter((child) => child?.type === "integer_literal");
    if (numbers.length === 2) return Number(numbers[1]!.text.replace(/_/g, "").replace(/[a-z]+\d*$/, "")) <= 64;
    // `0..WORKERS`: an upper bound named like a constant is configuration, not input.
    return /^[0-9_]+\.\.=?[A-Z][A-Z0-9_]*$/.test(value.text.replace(/\s+/g, ""));
  }
  return false;
}

/** What the loop iterates over, for the message: `for item in items`, a `recv()` loop, an `accept()` loop. */
function describeLoop(loop: RustNode): "items" | "messages" | "connections" | undefined {
  if (loop.type === "for_expression") return "items";
  const head = loop.type === "while_expression" ? (loop.childForFieldName("condition")?.text ?? "") : "";
  const body = loop.childForFieldName("body");
  const text = `${head}\n${body?.text ?? ""}`;
  if (/\.accept\s*\(\s*\)\s*\.await/.test(text)) return "connections";
  if (/\.recv\s*\(\s*\)\s*\.await|\.next\s*\(\s*\)\s*\.await/.test(head)) return "messages";
  return undefined;
}

export const rustUnboundedConcurrency: RustImplementation<unknown> = {
  messages: {
    rustSpawnPerItem:
      "A task is spawned per {{what}} with nothing bounding how many run at once: a large input (or a burst) starts thousands of tasks that exhaust sockets, file descriptors and memory together.",
    rustJoinAllMap:
      "`join_all` over a `map` of a collection starts every future at once: fan-out without a limit exhausts sockets and file descriptors on a large input.",
  },
  examples: {
    incorrect: [
      `async fn fetch_all(urls: Vec<String>) {\n    let mut handles = Vec::new();\n    for url in urls {\n        handles.push(tokio::spawn(async move { fetch(&url).await }));\n    }\n    for handle in handles {\n        let _ = handle.await;\n    }\n}`,
    ],
    correct: [
      `use std::sync::Arc;\nuse tokio::sync::Semaphore;\n\nasync fn fetch_all(urls: Vec<String>) {\n    let limit = Arc::new(Semaphore::new(16));\n    let mut handles = Vec::new();\n    for url in urls {\n        let permit = limit.clone().acquire_owned().await.unwrap();\n        handles.push(tokio::spawn(async move {\n            let _permit = permit;\n            fetch(&url).await\n        }));\n    }\n    for handle in handles {\n        let _ = handle.await;\n    }\n}`,
      `use futures::stream::{self, StreamExt};\n\nasync fn fetch_all(urls: Vec<String>) {\n    let _results: Vec<_> = stream::iter(urls).map(|url| async move { fetch(&url).await }).buffer_unordered(16).collect().await;\n}`,
    ],
  },
  knownLimits: [
    "A limit applied inside the spawned task (a semaphore acquired by the task itself) is not recognised unless the acquire call is in the loop body.",
    "Loops over a channel are reported only for `while let … = rx.recv().await` (and `.next().await`) heads; a `loop { match rx.recv().await … }` is not.",
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    return {
      call_expression(node) {
        if (isSpawn(node, uses)) {
          const loop = enclosingLoop(node);
          if (!loop || isSmallConstantIteration(loop)) return;
          const what = describeLoop(loop);
          if (!what) return;
          const body = loop.childForFieldName("body");
          if (body && LIMITERS.test(body.text)) return;
          context.report({
            node: node.childForFieldName("function") ?? node,
            messageId: "rustSpawnPerItem",
            data: { what: what === "items" ? "item" : what === "messages" ? "message" : "connection" },
            help: "Acquire a permit from a `tokio::sync::Semaphore` before each spawn (move it into the task), cap a `JoinSet` (`if set.len() >= N { set.join_next().await; }`), or use `stream::iter(..).buffer_unordered(N)`.",
          });
          return;
        }
        const callee = rustCallee(node);
        const name = callee.path ? resolveRustPath(callee.path, uses) : undefined;
        if (!name || !/(^|::)(join_all|try_join_all)$/.test(name)) return;
        const argument = node.childForFieldName("arguments")?.namedChildren[0];
        if (!argument) return;
        for (const inner of rustDescendants(argument)) {
          if (inner.type === "call_expression" && rustCallee(inner).method === "map") {
            context.report({
              node: node.childForFieldName("function") ?? node,
              messageId: "rustJoinAllMap",
              help: "Use `stream::iter(items).map(..).buffer_unordered(N)` (or a Semaphore) so at most N futures run at once.",
            });
            return;
          }
        }
      },
    };
  },
};
