import {
  isRustTestContext,
  rustChannelItemType,
  rustTypeCarriesReplySender,
  resolveRustPath,
  rustCallee,
  rustUseMap,
  rustPatternNames,
  defineRustRule,
  type RustNode,
} from "../../src/lint/rust-api.js";

/** Constructors of channels that never apply backpressure, by full path. */
const UNBOUNDED = new Map<string, string>([
  ["tokio::sync::mpsc::unbounded_channel", "mpsc::channel(capacity)"],
  ["flume::unbounded", "flume::bounded(capacity)"],
  ["crossbeam_channel::unbounded", "crossbeam_channel::bounded(capacity)"],
  ["crossbeam::channel::unbounded", "crossbeam::channel::bounded(capacity)"],
  ["async_channel::unbounded", "async_channel::bounded(capacity)"],
  ["kanal::unbounded", "kanal::bounded(capacity)"],
  ["kanal::unbounded_async", "kanal::bounded_async(capacity)"],
  ["futures::channel::mpsc::unbounded", "futures::channel::mpsc::channel(capacity)"],
  ["futures_channel::mpsc::unbounded", "futures_channel::mpsc::channel(capacity)"],
  ["async_std::channel::unbounded", "async_std::channel::bounded(capacity)"],
  ["smol::channel::unbounded", "smol::channel::bounded(capacity)"],
]);

const PERMIT = /\.\s*(acquire|acquire_owned|acquire_many|acquire_many_owned|try_acquire|try_acquire_owned)\s*\(/;

/**
 * The names the channel's sender goes by in this file: the first name of `let (tx, rx) = …`, and
 * the fields it is stored in (`Self { tx, … }`, `events: tx`).
 */
function senderNames(call: RustNode): Set<string> {
  const names = new Set<string>();
  let current: RustNode = call;
  while (current.parent && ["try_expression", "call_expression", "field_expression"].includes(current.parent.type))
    current = current.parent;
  const declaration = current.parent;
  const pattern = declaration?.type === "let_declaration" ? declaration.childForFieldName("pattern") : undefined;
  const sender =
    pattern?.type === "tuple_pattern" && pattern.namedChildren[0] ? rustPatternNames(pattern.namedChildren[0])[0]?.text : undefined;
  if (!sender || !declaration?.parent) return names;
  names.add(sender);
  for (const initializer of declaration.parent.descendantsOfType(["field_initializer", "shorthand_field_initializer"])) {
    if (initializer?.type === "shorthand_field_initializer" && initializer.text === sender) names.add(sender);
    const value = initializer?.childForFieldName("value");
    const field = initializer?.childForFieldName("field")?.text;
    if (value && field && (value.text === sender || (/^\w+\.clone\(\)$/.test(value.text) && value.text.startsWith(`${sender}.`))))
      names.add(field);
  }
  return names;
}

/**
 * A bound the channel type does not show: every send on the channel's sender in this file happens in
 * a `Drop` impl (one message per dropped value, so the queue holds at most one message per value
 * that ever lived), or in a function that first takes a semaphore permit (the semaphore caps what
 * is in flight). Undefined when the sender is never seen sending in this file.
 */
function boundedBySenders(call: RustNode, root: RustNode): boolean {
  const names = senderNames(call);
  if (names.size === 0) return false;
  let sends = 0;
  for (const site of root.descendantsOfType("call_expression")) {
    if (!site) continue;
    const callee = rustCallee(site);
    if (!callee.receiver || !/^(send|unbounded_send|try_send)$/.test(callee.method ?? "")) continue;
    const last = /(\w+)\s*$/.exec(callee.receiver.text)?.[1];
    if (!last || !names.has(last)) continue;
    sends++;
    let fn: RustNode | null = site.parent;
    while (fn && fn.type !== "function_item") fn = fn.parent;
    if (!fn) return false;
    const inDrop = fn.childForFieldName("name")?.text === "drop" && /^impl\b[^{]*\bDrop\s+for\b/.test(fn.parent?.parent?.text ?? "");
    const body = fn.childForFieldName("body");
    const permitFirst = !!body && PERMIT.test(body.text.slice(0, site.startIndex - body.startIndex));
    if (!inDrop && !permitFirst) return false;
  }
  return sends > 0;
}

export default defineRustRule<unknown>({
  instead:
    "Use a bounded channel (`tokio::sync::mpsc::channel(capacity)`): `send(...).await` waits for room, so a slow consumer slows its producers down instead of growing memory; use `try_send` where a full queue should shed load with an error.",
  messages: {
    rustUnbounded:
      "`{{name}}` creates a channel with no capacity: when producers outpace the consumer it buffers every message until the process runs out of memory.",
  },
  examples: {
    incorrect: [
      `use tokio::sync::mpsc;\n\nasync fn pipeline() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();\n    tokio::spawn(async move { while let Some(frame) = rx.recv().await { store(frame).await; } });\n    feed(tx).await;\n}`,
    ],
    correct: [
      `use tokio::sync::mpsc;\n\nasync fn pipeline() {\n    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(1024);\n    tokio::spawn(async move { while let Some(frame) = rx.recv().await { store(frame).await; } });\n    feed(tx).await;\n}`,
    ],
  },
  knownLimits: [
    "A channel whose message type carries a oneshot reply sender (`unbounded_channel::<(Request, oneshot::Sender<Response>)>()`, also through a type alias of the file or the `let`'s annotated type) is taken as request/response and not reported: each caller waits for its reply, so the queue holds at most one message per waiting caller. That the callers do wait is not checked.",
    "A channel whose every send in the same file (on the sender's `let` name, or the struct fields it is stored in) happens in a `Drop` impl (one message per dropped value) or after a semaphore permit is taken in the same function is taken as bounded; senders handed to other files are not followed.",
    "`std::sync::mpsc::channel` is unbounded too but is not reported: it is mostly used for small hand-offs between threads, outside async code.",
    "Test code is not reported: `#[test]`/`#[tokio::test]` and other `…test` attribute functions, `#[cfg(test)]` modules, functions and impls, and files their parent declares as `#[cfg(test)] mod name;` (Rust files under a test directory are a file role of the engine).",
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    return {
      call_expression(node) {
        const callee = rustCallee(node);
        if (!callee.path) return;
        const full = resolveRustPath(callee.path, uses);
        const bounded =
          UNBOUNDED.get(full) ??
          (full.endsWith("::unbounded_channel") || full === "unbounded_channel" ? "mpsc::channel(capacity)" : undefined);
        if (!bounded) return;
        // A test's channel carries the messages the test itself sends.
        if (isRustTestContext(node, context.filePath, context.program)) return;
        // Requests with a reply channel: each sender waits for its reply, so the queue holds at most one message per waiting caller.
        const item = rustChannelItemType(node);
        if (item && rustTypeCarriesReplySender(item, context.root)) return;
        if (boundedBySenders(node, context.root)) return;
        context.report({
          node: node.childForFieldName("function") ?? node,
          messageId: "rustUnbounded",
          data: { name: callee.path },
          help: `Use \`${bounded}\`: \`send(...).await\` then waits for room, so a slow consumer slows producers down (Tokio's backpressure) instead of growing memory.`,
        });
      },
    };
  },
});
