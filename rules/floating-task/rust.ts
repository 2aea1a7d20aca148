import {
  isRustTestContext,
  resolveRustPath,
  rustCallee,
  rustDescendants,
  rustUseMap,
  defineRustRule,
  type RustNode,
} from "../../src/lint/rust-api.js";

const SPAWNS = new Set([
  "tokio::spawn",
  "tokio::task::spawn",
  "tokio::task::spawn_local",
  "tokio::task::spawn_blocking",
  "tokio::spawn_blocking",
]);

/** A function item of this file by name, to read its return type. */
function findFunction(root: RustNode, name: string): RustNode | undefined {
  for (const item of root.descendantsOfType("function_item")) {
    if (item?.childForFieldName("name")?.text === name) return item;
  }
  return undefined;
}

function returnsResult(fn: RustNode): boolean {
  const type = fn.childForFieldName("return_type");
  return (!!type && /(^|::|\s)(Result|Option)\s*</.test(type.text)) || /(^|::)Result$/.test(type?.text ?? "");
}

/** Nested bodies whose `?` and tail do not belong to the spawned block. */
const NESTED = new Set(["closure_expression", "async_block", "function_item"]);

function callReturnsResult(call: RustNode, root: RustNode): boolean {
  const callee = rustCallee(call);
  const name = callee.path?.split("::").pop() ?? callee.method;
  const fn = name ? findFunction(root, name) : undefined;
  return !!fn && returnsResult(fn);
}

/**
 * Can the spawned task fail silently? A body that uses `?` or ends in an awaited value returns its
 * error through the JoinHandle; so does a call to a function of this file that returns
 * `Result`/`Option`. A body that handles its own errors (`if let Err(e) = … { log }`) does not.
 */
function taskCanFail(task: RustNode, root: RustNode): boolean {
  let body: RustNode | null | undefined;
  if (task.type === "async_block") body = task.namedChildren.find((child) => child?.type === "block");
  else if (task.type === "closure_expression") body = task.childForFieldName("body");
  else if (task.type === "call_expression") return callReturnsResult(task, root);
  if (!body) return false;
  if (body.type !== "block") {
    if (body.type === "call_expression") return callReturnsResult(body, root);
    return body.type === "await_expression" || body.type === "try_expression";
  }
  for (const node of rustDescendants(body)) {
    if (node.type !== "try_expression" && node.type !== "return_expression") continue;
    if (insideNested(node, body)) continue;
    if (node.type === "try_expression" || isResultVariant(node.namedChildren[0], "Err")) return true;
  }
  const last = body.namedChildren[body.namedChildren.length - 1];
  if (!last) return false;
  if (last.type === "await_expression" || last.type === "try_expression") return true;
  if (last.type === "call_expression") return callReturnsResult(last, root) || isResultVariant(last, "Ok") || isResultVariant(last, "Err");
  return false;
}

/**
 * `Ok(…)`/`Err(…)` however the path is written: `Ok::<(), E>(())`, `anyhow::Ok(())`,
 * `Result::<(), E>::Ok(())`. A task ending in one returns a `Result` that nobody reads.
 */
function isResultVariant(node: RustNode | null | undefined, variant: "Ok" | "Err"): boolean {
  if (node?.type !== "call_expression") return false;
  return rustCallee(node).path?.split("::").pop() === variant;
}

function insideNested(node: RustNode, body: RustNode): boolean {
  for (let current = node.parent; current && !current.equals(body); current = current.parent) {
    if (NESTED.has(current.type)) return true;
  }
  return false;
}

const RECEIVES = new Set(["recv", "recv_many", "recv_async"]);

/** The body of a spawned `async` block or closure; undefined for a spawned call (`spawn(run(rx))`). */
function taskBody(task: RustNode): RustNode | undefined {
  if (task.type === "async_block") return task.namedChildren.find((child) => child?.type === "block") ?? undefined;
  if (task.type === "closure_expression") return task.childForFieldName("body") ?? undefined;
  return undefined;
}

/**
 * A `loop` of the task that receives from a channel and that nothing ends: no `break`, `return` or
 * `?` in it, parsed or as tokens of a macro (`select!` arms). Such a consumer cannot stop even when
 * every sender is gone (a `Some(x) = rx.recv()` arm of `select!` is only disabled), so the task,
 * once detached, outlives whatever owned it.
 */
function endlessLoop(task: RustNode): { loop: RustNode; receives: boolean; panics: boolean } | undefined {
  const body = taskBody(task);
  if (!body) return undefined;
  for (const node of rustDescendants(body)) {
    if (node.type !== "loop_expression" || insideNested(node, body)) continue;
    let receives = false;
    let panics = false;
    let ends = false;
    for (const inner of rustDescendants(node)) {
      if (["break_expression", "return_expression", "try_expression"].includes(inner.type)) ends = true;
      else if (inner.childCount === 0 && /^(break|return|\?)$/.test(inner.text) && inner.parent?.type === "token_tree") ends = true;
      else if ((inner.type === "identifier" || inner.type === "field_identifier") && RECEIVES.has(inner.text)) receives = true;
      else if ((inner.type === "identifier" || inner.type === "field_identifier") && PANICS.has(inner.text) && !insideNested(inner, node))
        panics ||= isPanicSite(inner);
      if (ends) break;
    }
    if ((receives || panics) && !ends) return { loop: node, receives, panics };
  }
  return undefined;
}

/** `.expect(…)`/`.unwrap()` called as a method, or `panic!`/`unreachable!`/`todo!` invoked. */
const PANICS = new Set(["expect", "unwrap", "panic", "unreachable", "todo", "unimplemented"]);

function isPanicSite(identifier: RustNode): boolean {
  const parent = identifier.parent;
  if (parent?.type === "field_expression") return parent.parent?.type === "call_expression" && /^(expect|unwrap)$/.test(identifier.text);
  if (parent?.type === "macro_invocation") return /^(panic|unreachable|todo|unimplemented)$/.test(identifier.text);
  // Inside a macro's token tree (`select!` arms): `. expect (` as tokens.
  return parent?.type === "token_tree" && identifier.previousSibling?.text === "." && /^(expect|unwrap)$/.test(identifier.text);
}

/** Is the identifier bound by this `let` used again later in its block? */
function bindingUsedLater(declaration: RustNode, name: string): boolean {
  const block = declaration.parent;
  if (!block) return false;
  let after = false;
  for (const statement of block.namedChildren) {
    if (!statement) continue;
    if (statement.equals(declaration)) {
      after = true;
      continue;
    }
    if (!after) continue;
    for (const node of rustDescendants(statement)) {
      if (node.type === "identifier" && node.text === name) return true;
    }
  }
  return false;
}

export default defineRustRule<unknown>({
  instead:
    "Keep the `JoinHandle` and await it (or hold tasks in a `JoinSet` and `join_next().await` them), and look at its `Result`: a `JoinError` is a panic or a cancellation, an `Err` inside is the task's own failure. For deliberate background work, handle the error inside the task (log it) so dropping the handle loses nothing.",
  messages: {
    rustDroppedHandle:
      "The `JoinHandle` of this spawned task is dropped: the task is detached, and its error or panic vanishes with nobody to see it.",
    rustDetachedEndlessLoop:
      "This spawned task receives in a `loop` that nothing ends (no `break`, `return` or `?`, not even when its channel closes) and its `JoinHandle` is dropped: nothing can stop it, so it keeps running and holding what it captured after its owner is gone.",
    rustDetachedPanickingLoop:
      "This spawned task runs a `loop` that nothing ends and that can panic (`.expect()`, `.unwrap()`, `panic!`), and its `JoinHandle` is dropped: one panic ends the loop for good, silently, and its work stops with no error anywhere.",
  },
  examples: {
    incorrect: [
      `async fn sync_all(store: Store) {\n    tokio::spawn(async move {\n        store.flush().await?;\n        Ok::<_, std::io::Error>(())\n    });\n}`,
    ],
    correct: [
      `use tokio::task::JoinSet;\n\nasync fn sync_all(stores: Vec<Store>) -> std::io::Result<()> {\n    let mut set = JoinSet::new();\n    for store in stores {\n        if set.len() >= 8 {\n            if let Some(result) = set.join_next().await {\n                result??;\n            }\n        }\n        set.spawn(async move { store.flush().await });\n    }\n    while let Some(result) = set.join_next().await {\n        result??;\n    }\n    Ok(())\n}`,
      `use std::sync::Arc;\nuse tokio::sync::Semaphore;\n\nasync fn serve(listener: tokio::net::TcpListener) {\n    let connections = Arc::new(Semaphore::new(1024));\n    loop {\n        let permit = connections.clone().acquire_owned().await.expect("semaphore closed");\n        let Ok((socket, _)) = listener.accept().await else { continue };\n        tokio::spawn(async move {\n            let _permit = permit;\n            if let Err(error) = handle(socket).await {\n                eprintln!("connection failed: {error}");\n            }\n        });\n    }\n}`,
    ],
  },
  knownLimits: [
    "A task is known to fail only when its block uses `?`, returns `Err(…)`, ends in an awaited call or an `Ok`/`Err` value (however written: `anyhow::Ok(())`, `Ok::<(), E>(())`), or calls a function of the same file returning `Result`/`Option`; functions from other files or crates are assumed to handle their errors.",
    "Panics inside a task whose errors are handled still vanish when its handle is dropped; they are not reported.",
    "A detached task that loops forever is reported only when its `loop` receives from a channel (`recv`), or can panic (`.expect()`, `.unwrap()`, `panic!`; not in test code), and contains no `break`, `return` or `?` at all (a `break` in any branch, even of a nested loop, counts as a way out); a spawned call (`tokio::spawn(run(rx))`) is not looked into.",
  ],
  create(context) {
    const uses = rustUseMap(context.root);
    return {
      call_expression(node) {
        const callee = rustCallee(node);
        if (!callee.path) return;
        const full = resolveRustPath(callee.path, uses);
        if (!SPAWNS.has(full) && !(callee.path === "spawn" && uses.get("spawn")?.startsWith("tokio::"))) return;
        const task = node.childForFieldName("arguments")?.namedChildren[0];
        if (!task) return;
        const canFail = taskCanFail(task, context.root);
        let endless = canFail ? undefined : endlessLoop(task);
        // A test's detached loop ends with the test's runtime.
        if (endless && !endless.receives && isRustTestContext(node, context.filePath, context.program)) endless = undefined;
        if (!canFail && !endless) return;
        const parent = node.parent;
        if (!parent) return;
        let dropped = false;
        if (parent.type === "expression_statement") dropped = true;
        else if (parent.type === "let_declaration") {
          const pattern = parent.childForFieldName("pattern");
          if (pattern?.type === "_" || pattern?.text === "_") dropped = true;
          else if (pattern?.type === "identifier") dropped = !bindingUsedLater(parent, pattern.text);
        }
        if (dropped)
          context.report({
            node: node.childForFieldName("function") ?? node,
            messageId: endless ? (endless.receives ? "rustDetachedEndlessLoop" : "rustDetachedPanickingLoop") : "rustDroppedHandle",
          });
      },
    };
  },
});
