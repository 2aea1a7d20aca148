import {
  isRustTestContext,
  rustChannelItemType,
  rustTypeCarriesReplySender,
  resolveRustPath,
  rustCallee,
  rustUseMap,
  defineRustRule,
} from "../../src/lint/api.js";

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
