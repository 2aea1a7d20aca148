import {
  findRustBinding,
  isRustTestContext,
  rustChannelEndType,
  rustTypeCarriesReplySender,
  resolveRustPath,
  rustCallee,
  rustUseMap,
  defineRustRule,
  type RustNode,
} from "../../src/lint/rust-api.js";

const SPAWN_PATHS = new Set(["tokio::spawn", "tokio::task::spawn", "tokio::task::spawn_local"]);
/** Sets that poll every future they hold at once: collecting a mapped collection into one, or pushing an item's future per loop turn, starts them all. */
const FUTURE_SETS = /(^|::)(FuturesUnordered|FuturesOrdered|JoinSet)$/;
/** How a future enters a `FuturesUnordered`/`FuturesOrdered`. */
const SET_PUSHES = new Set(["push", "push_back", "push_front"]);
const LOOPS = new Set(["for_expression", "while_expression", "loop_expression"]);
const BOUNDARIES = new Set(["function_item", "closure_expression", "async_block"]);
/** Calls in a loop body that bound how many tasks run at once. */
const LIMITERS =
  /\.(acquire|acquire_owned|acquire_many|acquire_many_owned|try_acquire|try_acquire_owned)\s*\(|\.join_next\s*\(|\.buffer_unordered\s*\(|\.buffered\s*\(|\.reserve\s*\(/;

function isSpawn(call: RustNode, uses: ReadonlyMap<string, string>): boolean {
  const callee = rustCallee(call);
  if (callee.path) return SPAWN_PATHS.has(resolveRustPath(callee.path, uses));
  // JoinSet::spawn: a limit is only real with a join_next() in the loop, checked by the caller.
  if (callee.method !== "spawn" || !callee.receiver) return false;
  return /set|tasks|join/i.test(callee.receiver.text) || futureSetOf(callee.receiver, uses) === "JoinSet";
}

/**
 * The future set a local names: `let mut set = FuturesUnordered::new()` (also `::default()`,
 * `::with_capacity(n)`, a path to it) or a `let` typed as one. Undefined for anything else.
 */
function futureSetOf(receiver: RustNode, uses: ReadonlyMap<string, string>): string | undefined {
  if (receiver.type !== "identifier") return undefined;
  const binding = findRustBinding(receiver, receiver.text);
  if (binding?.kind !== "let") return undefined;
  const typeHead = binding.type?.text.replace(/\s+/g, "").replace(/<.*$/, "");
  const constructed = binding.value?.type === "call_expression" ? binding.value.childForFieldName("function") : undefined;
  const valueHead =
    constructed?.type === "scoped_identifier" && /^(new|default|with_capacity)$/.test(constructed.childForFieldName("name")?.text ?? "")
      ? constructed.childForFieldName("path")?.text.replace(/\s+/g, "").replace(/<.*$/, "").replace(/::$/, "")
      : undefined;
  for (const head of [typeHead, valueHead]) {
    const match = head ? FUTURE_SETS.exec(resolveRustPath(head, uses)) : null;
    if (match) return match[2];
  }
  return undefined;
}

/** The loop whose body directly (not through a nested fn/closure/async block) contains `node`. */
function enclosingLoop(node: RustNode): RustNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (LOOPS.has(current.type)) return current;
    if (BOUNDARIES.has(current.type)) return undefined;
  }
  return undefined;
}

/** A parameter, `let` or field named like a count of workers is configuration, not input size. */
const WORKER_COUNT =
  /^(n_|num_|max_)?(workers?|worker_count|workers_count|concurrency|parallelism|pool_size|threads?|thread_count|consumers?|shards?)$/i;
/** Values whose fields are configuration: `config.workers`, `self.settings.pool`, `args.jobs`. */
const CONFIG_VALUE = /(^|[._])(self|config|cfg|conf|settings|opts|options|args|cli)$|Config$/i;
/** Methods that hand back the count they are called on: `NonZeroUsize::get`, `unwrap_or(4)`, `as`-like conversions. */
const SAME_COUNT = new Set(["get", "unwrap", "unwrap_or", "unwrap_or_default", "unwrap_or_else", "expect", "map", "into", "try_into"]);
/** Where the machine's parallelism comes from. */
const PARALLELISM = /\bavailable_parallelism\b|\bnum_cpus::get(_physical)?\b/;

/**
 * Whether a loop's count is fixed by construction: a small literal, a constant, the machine's
 * parallelism, a configured worker count, or any of those through a `let`, `.min(cap)`, `.clamp(…)`
 * or arithmetic. A collection's `.len()`/`.count()` is the input's size; so is a count handed in
 * as a parameter unless its name says it counts workers.
 */
function isFixedCount(bound: RustNode, depth: number): boolean {
  if (depth > 4) return false;
  switch (bound.type) {
    case "integer_literal":
      return Number(bound.text.replace(/_/g, "").replace(/[a-z]+\d*$/, "")) <= 64;
    case "parenthesized_expression":
    case "try_expression":
    case "type_cast_expression": {
      const inner = bound.type === "type_cast_expression" ? bound.childForFieldName("value") : bound.namedChildren[0];
      return !!inner && isFixedCount(inner, depth + 1);
    }
    case "binary_expression": {
      const left = bound.childForFieldName("left");
      const right = bound.childForFieldName("right");
      return !!left && !!right && isFixedCount(left, depth + 1) && isFixedCount(right, depth + 1);
    }
    case "identifier": {
      if (/^[A-Z][A-Z0-9_]*$/.test(bound.text)) return true;
      const binding = findRustBinding(bound, bound.text);
      if (binding?.kind === "parameter") return WORKER_COUNT.test(bound.text);
      if (binding?.kind !== "let" || !binding.value) return false;
      return (WORKER_COUNT.test(bound.text) && !/\.(len|count)\s*\(/.test(binding.value.text)) || isFixedCount(binding.value, depth + 1);
    }
    case "scoped_identifier":
      return /(^|::)[A-Z][A-Z0-9_]*$/.test(bound.text);
    case "field_expression": {
      const field = bound.childForFieldName("field")?.text ?? "";
      const value = bound.childForFieldName("value")?.text.replace(/\s+/g, "") ?? "";
      return WORKER_COUNT.test(field) || CONFIG_VALUE.test(value);
    }
    case "call_expression": {
      if (PARALLELISM.test(bound.text)) return true;
      const callee = rustCallee(bound);
      const args = (bound.childForFieldName("arguments")?.namedChildren ?? []).filter((arg): arg is RustNode => !!arg);
      if (callee.path && /(^|::)min$/.test(callee.path)) return args.some((arg) => isFixedCount(arg, depth + 1));
      if (!callee.receiver) return false;
      if (callee.method === "min") return isFixedCount(callee.receiver, depth + 1) || args.some((arg) => isFixedCount(arg, depth + 1));
      if (callee.method === "clamp") return !!args[1] && isFixedCount(args[1], depth + 1);
      if (callee.method === "max") return isFixedCount(callee.receiver, depth + 1) && args.every((arg) => isFixedCount(arg, depth + 1));
      return SAME_COUNT.has(callee.method ?? "") && isFixedCount(callee.receiver, depth + 1);
    }
    default:
      return false;
  }
}

/** A `for` loop over a collection fixed in size by construction spawns a fixed number of tasks. */
function isFixedCountIteration(loop: RustNode): boolean {
  if (loop.type !== "for_expression") return false;
  const value = loop.childForFieldName("value");
  return !!value && isFixedSizeCollection(value, 0);
}

/** What the loop iterates over, for the message: `for item in items` or a listing's `next_entry()` loop, a `recv()` loop, an `accept()` loop. */
function describeLoop(loop: RustNode): "items" | "messages" | "connections" | undefined {
  if (loop.type === "for_expression") return "items";
  const head = loop.type === "while_expression" ? (loop.childForFieldName("condition")?.text ?? "") : "";
  const body = loop.childForFieldName("body");
  const text = `${head}\n${body?.text ?? ""}`;
  if (/\.accept\s*\(\s*\)\s*\.await/.test(text)) return "connections";
  // A directory listing (`read_dir(..).next_entry()`) or a query's row stream (`rows.try_next()`).
  if (/\.(next_entry|try_next)\s*\(\s*\)\s*\.await/.test(head)) return "items";
  if (/\.recv\s*\(\s*\)\s*\.await|\.next\s*\(\s*\)\s*\.await/.test(head)) return "messages";
  return undefined;
}

/**
 * A `while let Some(msg) = rx.recv().await` loop over requests that carry a oneshot reply sender:
 * each sender waits for its reply, so tasks spawned per message are at most one per waiting caller.
 */
function carriesReplies(loop: RustNode, root: RustNode): boolean {
  const condition = loop.childForFieldName("condition");
  const letCondition = condition?.type === "let_condition" ? condition : undefined;
  let value = letCondition?.childForFieldName("value");
  if (value?.type === "await_expression") value = value.namedChildren[0] ?? undefined;
  if (value?.type !== "call_expression") return false;
  const receiver = rustCallee(value).receiver;
  if (receiver?.type !== "identifier") return false;
  const type = rustChannelEndType(receiver, receiver.text);
  return !!type && rustTypeCarriesReplySender(type, root);
}

/** `.collect::<FuturesUnordered<_>>()`, or `let futs: FuturesUnordered<_> = ….collect();`. */
function collectsIntoFutureSet(call: RustNode, uses: ReadonlyMap<string, string>): boolean {
  const fn = call.childForFieldName("function");
  const isSet = (type: string | undefined) => {
    const head = type?.replace(/\s+/g, "").replace(/^</, "").replace(/<.*$/, "");
    return !!head && FUTURE_SETS.test(resolveRustPath(head, uses));
  };
  if (fn?.type === "generic_function") return isSet(fn.childForFieldName("type_arguments")?.text);
  let current: RustNode = call;
  while (current.parent?.type === "try_expression" || current.parent?.type === "parenthesized_expression") current = current.parent;
  const declaration = current.parent;
  return (
    declaration?.type === "let_declaration" &&
    !!declaration.childForFieldName("value")?.equals(current) &&
    isSet(declaration.childForFieldName("type")?.text)
  );
}

/** Owners of configured lists: `config.upstreams`, `self.settings.peers`, `opts.name_servers()`. Not `self` or CLI `args`: a server's own fields and a command line's operands grow with use. */
const CONFIGURED_LIST_OWNER = /(^|[._])(config|cfg|conf|settings|opts|options)$|Config$/i;
/** Iterator and slice steps that keep a collection's size or shrink it: fixed in, fixed out. */
const SIZE_KEEPING = new Set([
  "iter",
  "into_iter",
  "iter_mut",
  "enumerate",
  "cloned",
  "copied",
  "map",
  "filter",
  "filter_map",
  "skip",
  "rev",
  "keys",
  "values",
  "as_slice",
  "as_ref",
  "to_vec",
  "clone",
]);

/**
 * Is this collection's size fixed by construction, rather than the input's: an array literal, a
 * `vec![…]` literal, a small or constant range, a constant (`PEERS`, `config::DEFAULT_SERVERS`), a
 * configured list (`config.upstreams`, `self.config.peers()`), a `let` of one of those, or one of
 * those through `iter()`, `map`, `filter`, `take(n)` with a fixed `n`. Anything else (a parameter, a
 * request's body, a directory listing, a query's rows, a server's own field) is input-sized.
 */
function isFixedSizeCollection(node: RustNode, depth: number): boolean {
  if (depth > 6) return false;
  switch (node.type) {
    case "reference_expression": {
      const value = node.childForFieldName("value");
      return !!value && isFixedSizeCollection(value, depth + 1);
    }
    case "parenthesized_expression":
    case "try_expression":
      return !!node.namedChildren[0] && isFixedSizeCollection(node.namedChildren[0], depth + 1);
    case "array_expression": {
      const length = node.childForFieldName("length");
      return length ? isFixedCount(length, 0) : node.namedChildCount <= 16;
    }
    case "macro_invocation":
      return /^vec\s*!\s*\[/.test(node.text) && !node.text.includes(";");
    case "range_expression": {
      const parts = node.namedChildren.filter((child): child is RustNode => !!child);
      const end = parts.length === 2 ? parts[1] : node.text.trimStart().startsWith("..") ? parts[0] : undefined;
      return !!end && isFixedCount(end, 0);
    }
    case "identifier": {
      if (/^[A-Z][A-Z0-9_]*$/.test(node.text)) return true;
      const binding = findRustBinding(node, node.text);
      return binding?.kind === "let" && !!binding.value && isFixedSizeCollection(binding.value, depth + 1);
    }
    case "scoped_identifier":
      return /(^|::)[A-Z][A-Z0-9_]*$/.test(node.text);
    case "field_expression":
      return CONFIGURED_LIST_OWNER.test(node.childForFieldName("value")?.text.replace(/\s+/g, "") ?? "");
    case "call_expression": {
      if (isCappedTake(node)) return true;
      const callee = rustCallee(node);
      if (!callee.receiver) return false;
      const argumentCount = node.childForFieldName("arguments")?.namedChildCount ?? 0;
      if (argumentCount === 0 && CONFIGURED_LIST_OWNER.test(callee.receiver.text.replace(/\s+/g, ""))) return true;
      return SIZE_KEEPING.has(callee.method ?? "") && isFixedSizeCollection(callee.receiver, depth + 1);
    }
    default:
      return false;
  }
}

/**
 * Does this expression (or the `let` it names, a few moves back) map over a collection:
 * `items.iter().map(…)`, `to_upload.into_iter().map(…).map(…)`? Not over a literal array,
 * `vec![…]` or a small range, whose size is fixed.
 */
function mapsOverCollection(expression: RustNode, depth: number): boolean {
  if (depth > 3) return false;
  let node = expression;
  while (["reference_expression", "parenthesized_expression", "try_expression"].includes(node.type) && node.namedChildren[0])
    node = node.type === "reference_expression" ? (node.childForFieldName("value") ?? node.namedChildren[0]!) : node.namedChildren[0]!;
  if (node.type === "identifier") {
    const binding = findRustBinding(node, node.text);
    return binding?.kind === "let" && !!binding.value && mapsOverCollection(binding.value, depth + 1);
  }
  let mapped = false;
  for (let steps = 0; node.type === "call_expression" && steps < 30; steps++) {
    const callee = rustCallee(node);
    if (!callee.receiver) return false;
    if (callee.method === "map" || callee.method === "filter_map" || callee.method === "flat_map") mapped = true;
    if (isCappedTake(node)) return false;
    node = callee.receiver;
    while (node.type === "parenthesized_expression" && node.namedChildren[0]) node = node.namedChildren[0];
  }
  return mapped && !isFixedSizeCollection(node, 0) && !filledUpToFixedCount(node);
}

/** `.take(n)` or `.drain(..n)` with `n` fixed by construction (`conns.len().min(opts.max_concurrent)`). */
function isCappedTake(call: RustNode): boolean {
  const callee = rustCallee(call);
  const argument = call.childForFieldName("arguments")?.namedChildren[0];
  if (!argument) return false;
  if (callee.method === "take") return isFixedCount(argument, 0);
  if (callee.method !== "drain" || argument.type !== "range_expression") return false;
  const parts = argument.namedChildren.filter((child): child is RustNode => !!child);
  return argument.text.trimStart().startsWith("..") && parts.length === 1 && isFixedCount(parts[0]!, 0);
}

/**
 * A local collection made empty (`SmallVec::new()`, `Vec::with_capacity(n)`) and filled only by
 * `push` in `for` loops over a capped iterator (`for c in conns.drain(..count)` with a fixed `count`):
 * its size is the cap, not the input's.
 */
function filledUpToFixedCount(node: RustNode): boolean {
  if (node.type !== "identifier") return false;
  const binding = findRustBinding(node, node.text);
  if (binding?.kind !== "let" || !binding.value || !/^[\w:<>\[\];, ]*::(new|with_capacity)\s*\(/.test(binding.value.text)) return false;
  const block = binding.declaration.parent;
  if (!block) return false;
  let pushes = 0;
  for (const call of block.descendantsOfType("call_expression")) {
    if (!call || call.startIndex >= node.startIndex) continue;
    const callee = rustCallee(call);
    if (callee.receiver?.text !== node.text || !/^(push|push_back|insert|extend)$/.test(callee.method ?? "")) continue;
    pushes++;
    let loop: RustNode | null = call.parent;
    while (loop && loop.type !== "for_expression" && !loop.equals(block)) loop = loop.parent;
    const value = loop?.type === "for_expression" ? loop.childForFieldName("value") : undefined;
    if (!value || value.type !== "call_expression" || !isCappedTake(value)) return false;
  }
  return pushes > 0;
}

/** Futures that are ready when made: nothing to wait on, so a set of them holds no socket or file open. */
const READY_FUTURES = /(^|::)(ready|ok|err|pending)$/;

/**
 * Does this future wait on something (I/O, a timer, another task)? An `async` block does when it
 * awaits (also inside a macro such as `select!`); a call that returns a future (`fetch(url)`,
 * `client.get(u).send()`) is taken to, except `future::ready(…)` and its kin; `Box::pin(…)`,
 * `.boxed()` and a `let` are followed to the future they hold.
 */
function futureWaits(future: RustNode, uses: ReadonlyMap<string, string>, depth: number): boolean {
  if (depth > 3) return true;
  switch (future.type) {
    case "async_block":
      return /\.await\b/.test(future.text);
    case "call_expression": {
      const callee = rustCallee(future);
      const argument = future.childForFieldName("arguments")?.namedChildren[0];
      if (callee.path) {
        const name = resolveRustPath(callee.path, uses);
        if (READY_FUTURES.test(name)) return false;
        if (/(^|::)Box::pin$/.test(name) && argument) return futureWaits(argument, uses, depth + 1);
        return true;
      }
      if (callee.receiver && /^(boxed|boxed_local|fuse)$/.test(callee.method ?? "")) return futureWaits(callee.receiver, uses, depth + 1);
      return true;
    }
    case "identifier": {
      const binding = findRustBinding(future, future.text);
      return binding?.kind === "let" && binding.value ? futureWaits(binding.value, uses, depth + 1) : true;
    }
    default:
      return true;
  }
}

/** A loop that polls the set (a local's name) while filling it (`if set.len() >= N { set.next().await; }`) caps it. */
function drainsWhileFilling(body: RustNode, set: string): boolean {
  return new RegExp(`\\b${set}\\s*\\.\\s*(len|next|select_next_some|try_next)\\s*\\(`).test(body.text);
}

export default defineRustRule<unknown>({
  instead:
    "Bound how many run at once: acquire a `tokio::sync::Semaphore` permit before each spawn and move it into the task, cap a `JoinSet` (`while set.len() >= limit { set.join_next().await; }`), or use `futures::stream::iter(items).map(\u2026).buffer_unordered(limit)`.",
  messages: {
    rustSpawnPerItem:
      "A task is spawned per {{what}} with nothing bounding how many run at once: a large input (or a burst) starts thousands of tasks that exhaust sockets, file descriptors and memory together.",
    rustCollectFutureSet:
      "Collecting a `map` of a collection into a `FuturesUnordered`/`JoinSet` starts every future at once: fan-out without a limit grows with the input and exhausts sockets and file descriptors on a large one.",
    rustPushPerItem:
      "A future is pushed into this `{{set}}` for every item of an input-sized collection, and the set polls them all at once: fan-out without a limit grows with the input and exhausts sockets and file descriptors on a large one.",
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
    "A counted loop (`for i in 0..n`) is a worker pool when `n` is fixed by construction: a literal up to 64, a constant, `available_parallelism()`/`num_cpus::get()`, a field of a config value (`config.workers`, `self.pool_size`) or a name that counts workers (`workers`, `concurrency`, `pool_size`), also through a `let`, `.min(cap)`, `.clamp(lo, hi)` or arithmetic. A collection's `.len()` or `.count()`, or any other parameter (`n`, `input_count`), is taken as the input's size and reported.",
    "A loop over a channel whose messages carry a oneshot reply sender (seen from the receiver's parameter type or the channel constructor it was bound from) is taken as request/response and not reported: each caller waits for its reply, so there is at most one task per waiting caller. That the callers do wait is not checked.",
    "Whether a collection is input-sized is read from how it is made: an array literal, `vec![…]`, a small or constant range, a constant (`PEERS`, `config::SERVERS`), a configured list (a field or argument-less method of a value named `config`, `cfg`, `settings`, `opts`, `options` or typed `…Config`: `config.upstreams`, `self.config.name_servers()`), a `let` of one of those, or one of those through `iter()`, `map`, `filter` or `take(n)` with a fixed `n`, is fixed; anything else (a parameter, a request body, a directory listing, a query's rows, a server's own field such as `self.peers`) is taken as input-sized. A configured list is trusted to be short.",
    "`join_all`/`try_join_all`, and a `.collect()` into `FuturesUnordered`/`FuturesOrdered`/`JoinSet` (by turbofish or the `let`'s type), are reported when their futures come from a `map` over an input-sized collection, directly or through a `let` a few moves back. Whether each mapped future does I/O is not checked.",
    "A `FuturesUnordered`/`FuturesOrdered` local (made by `::new()`/`::default()`/`::with_capacity()` or typed so by its `let`) filled by `push`/`push_back` in a loop over an input-sized collection (a `for` loop, a `while let` over `next_entry()`/`try_next()`, `recv()`/`next()` or `accept()`, as for spawns) is reported when the pushed future waits on something: an `async` block that awaits, or a call returning a future (not `future::ready(…)`, `ok`, `err`). A loop that acquires a permit, or polls or measures the set (`set.len()`, `set.next()`) while filling it, is taken as capped. A set held in a struct field is not followed.",
    "Loops over a channel are reported only for `while let … = rx.recv().await` (and `.next().await`) heads, and `while let` loops over a listing or a row stream only for `.next_entry().await` and `.try_next().await` heads; a `loop { match rx.recv().await … }` is not.",
    "Test code is not reported: `#[test]`/`#[tokio::test]` and other `…test` attribute functions, `#[cfg(test)]` modules, functions and impls, and files their parent declares as `#[cfg(test)] mod name;` (Rust files under a test directory are a file role of the engine).",
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    return {
      call_expression(node) {
        if (isSpawn(node, uses)) {
          const loop = enclosingLoop(node);
          if (!loop || isFixedCountIteration(loop)) return;
          const what = describeLoop(loop);
          if (!what) return;
          const body = loop.childForFieldName("body");
          if (body && LIMITERS.test(body.text)) return;
          if (what === "messages" && carriesReplies(loop, context.root)) return;
          // A test fans out over the items it made itself.
          if (isRustTestContext(node, context.filePath, context.program)) return;
          context.report({
            node: node.childForFieldName("function") ?? node,
            messageId: "rustSpawnPerItem",
            data: { what: what === "items" ? "item" : what === "messages" ? "message" : "connection" },
            help: "Acquire a permit from a `tokio::sync::Semaphore` before each spawn (move it into the task), cap a `JoinSet` (`if set.len() >= N { set.join_next().await; }`), or use `stream::iter(..).buffer_unordered(N)`.",
          });
          return;
        }
        const callee = rustCallee(node);
        if (SET_PUSHES.has(callee.method ?? "") && callee.receiver) {
          const set = futureSetOf(callee.receiver, uses);
          if (set !== "FuturesUnordered" && set !== "FuturesOrdered") return;
          const loop = enclosingLoop(node);
          if (!loop || isFixedCountIteration(loop)) return;
          const what = describeLoop(loop);
          if (!what || (what === "messages" && carriesReplies(loop, context.root))) return;
          const future = node.childForFieldName("arguments")?.namedChildren[0];
          if (!future || !futureWaits(future, uses, 0)) return;
          const body = loop.childForFieldName("body");
          if (body && (LIMITERS.test(body.text) || drainsWhileFilling(body, callee.receiver.text))) return;
          if (isRustTestContext(node, context.filePath, context.program)) return;
          const fn = node.childForFieldName("function");
          context.report({
            node: fn?.childForFieldName("field") ?? node,
            messageId: "rustPushPerItem",
            data: { set },
            help: "Use `stream::iter(items).map(..).buffer_unordered(N)`, or before each push wait while the set is full (`while set.len() >= N { set.next().await; }`), or acquire a `Semaphore` permit before the push and move it into the future.",
          });
          return;
        }
        if (callee.method === "collect" && collectsIntoFutureSet(node, uses)) {
          if (!callee.receiver || !mapsOverCollection(callee.receiver, 0)) return;
          if (isRustTestContext(node, context.filePath, context.program)) return;
          let fn = node.childForFieldName("function");
          if (fn?.type === "generic_function") fn = fn.childForFieldName("function");
          context.report({
            node: fn?.childForFieldName("field") ?? node,
            messageId: "rustCollectFutureSet",
            help: "Use `stream::iter(items).map(..).buffer_unordered(N)` (or push into the set only while `set.len() < N`) so at most N futures run at once.",
          });
          return;
        }
        const name = callee.path ? resolveRustPath(callee.path, uses) : undefined;
        if (!name || !/(^|::)(join_all|try_join_all)$/.test(name)) return;
        const argument = node.childForFieldName("arguments")?.namedChildren[0];
        if (!argument || !mapsOverCollection(argument, 0)) return;
        if (isRustTestContext(node, context.filePath, context.program)) return;
        context.report({
          node: node.childForFieldName("function") ?? node,
          messageId: "rustJoinAllMap",
          help: "Use `stream::iter(items).map(..).buffer_unordered(N)` (or a Semaphore) so at most N futures run at once.",
        });
      },
    };
  },
});
