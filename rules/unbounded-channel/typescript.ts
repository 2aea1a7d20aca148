import {
  collectAwaits,
  defineTypeScriptRule,
  findDeclaration,
  functionOfDeclaration,
  getInitializer,
  isAbsentValue,
  isApi,
  isFunctionNode,
  isInfiniteValue,
  isZeroLiteral,
  listenerRegistration,
  lookupOption,
  resolveApi,
  routeRegistrationOf,
  serverFactoryOf,
  ts,
  unwrapExpression,
  walk,
  type ApiRef,
  outerExpression,
  enclosingClass,
} from "../../src/lint/api.js";

interface ChannelConstructor {
  module: string;
  export: string;
  capacity: { argument?: number; option?: string };
}

interface Options {
  channels: ChannelConstructor[];
}

const RX_MODULES = ["rxjs", "rxjs/operators"];

/** An export of RxJS, also through its deep paths (`rxjs/ReplaySubject` of RxJS 5, `rxjs/internal/…`, `rxjs/Rx`). */
function isRxApi(ref: ApiRef | undefined, name: string): boolean {
  if (isApi(ref, RX_MODULES, name)) return true;
  if (!ref || !/^rxjs\/(?:internal\/|Rx$|[A-Za-z]+$|operator\/|operators\/)/.test(ref.module)) return false;
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  return path.length === 1 && path[0] === name;
}
const REPLAY_OPERATORS = ["shareReplay", "publishReplay"];

type QueueLibrary = "p-queue" | "fastq" | "async";
const FEED_METHODS: Record<QueueLibrary, ReadonlySet<string>> = {
  "p-queue": new Set(["add", "addAll"]),
  fastq: new Set(["push", "unshift"]),
  async: new Set(["push", "unshift", "pushAsync", "unshiftAsync"]),
};
/** Reading any of these on a queue is taken as a size check or a wait for room (backpressure). */
const QUEUE_SIZE_MEMBERS = new Set([
  "size",
  "sizeBy",
  "pending",
  "length",
  "running",
  "idle",
  "onSizeLessThan",
  "onEmpty",
  "onIdle",
  "drain",
  "saturated",
  "unsaturated",
  "empty",
]);

// ---------------------------------------------------------------------------------------------
// Where a value is stored: a variable (by its declaration) or a class field (`this.name`).

const nodeIds = new WeakMap<ts.Node, number>();
let nextNodeId = 1;
function idOf(node: ts.Node): number {
  let id = nodeIds.get(node);
  if (id === undefined) {
    id = nextNodeId++;
    nodeIds.set(node, id);
  }
  return id;
}

interface Storage {
  key: string;
  name: string;
  /** The variable declaration, or the class owning the field. */
  owner: ts.Node;
}

/** The storage an expression reads: `queue` (a declared variable) or `this.queue`. */
function storageOf(expression: ts.Expression): Storage | undefined {
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (!declaration || !ts.isVariableDeclaration(declaration)) return undefined;
    return { key: `v${idOf(declaration)}`, name: node.text, owner: declaration };
  }
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const klass = enclosingClass(node);
    if (!klass) return undefined;
    return { key: `c${idOf(klass)}.${node.name.text}`, name: `this.${node.name.text}`, owner: klass };
  }
  return undefined;
}

/** The storage a freshly created value is put in: `const x = new …`, `x = new …`, `this.x = new …`, a field. */
function storageOfValue(value: ts.Node): Storage | undefined {
  const current = outerExpression(value);
  const parent = current.parent;
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) {
    return { key: `v${idOf(parent)}`, name: parent.name.text, owner: parent };
  }
  if (ts.isPropertyDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) {
    const klass = parent.parent;
    if (ts.isClassDeclaration(klass) || ts.isClassExpression(klass)) {
      return { key: `c${idOf(klass)}.${parent.name.text}`, name: `this.${parent.name.text}`, owner: klass };
    }
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === current) {
    return storageOf(parent.left);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Event listeners: functions that run once per event, request or message.

function isFunctionValue(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** The function an argument names: inline, a declared function, `this.method`, `this.method.bind(this)`. */
function functionOfArgument(argument: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  let node = unwrapExpression(argument);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "bind") {
    node = unwrapExpression(node.expression.expression);
  }
  if (isFunctionValue(node)) return node;
  if (ts.isIdentifier(node)) return functionOfDeclaration(findDeclaration(node));
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const klass = enclosingClass(node);
    const name = node.name.text;
    for (const member of klass?.members ?? []) {
      if (!member.name || !ts.isIdentifier(member.name) || member.name.text !== name) continue;
      if (ts.isMethodDeclaration(member) && member.body) return member;
      if (ts.isPropertyDeclaration(member) && member.initializer) {
        const init = unwrapExpression(member.initializer);
        if (isFunctionValue(init)) return init;
      }
    }
  }
  return undefined;
}

function isRepeatingRegistration(call: ts.CallExpression | ts.NewExpression, index: number): boolean {
  const site = { call, index };
  const listener = listenerRegistration(site);
  if (listener) {
    const method = ts.isPropertyAccessExpression(unwrapExpression(call.expression))
      ? (unwrapExpression(call.expression) as ts.PropertyAccessExpression).name.text
      : "";
    return method !== "once" && method !== "prependOnceListener";
  }
  if (serverFactoryOf(site) || routeRegistrationOf(site)) return true;
  // observable.subscribe(value => …) / subscribe({ next: value => … }) runs once per value.
  const callee = unwrapExpression(call.expression);
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee) && callee.name.text === "subscribe" && index === 0;
}

/** Every function of the file registered as a repeating listener (inline or by reference). */
function collectListeners(sourceFile: ts.SourceFile): Set<ts.Node> {
  const listeners = new Set<ts.Node>();
  walk(sourceFile, (node) => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      node.arguments.forEach((argument, index) => {
        if (!isRepeatingRegistration(node, index)) return;
        const fn = functionOfArgument(argument);
        if (fn) listeners.add(fn);
        const object = unwrapExpression(argument);
        if (ts.isObjectLiteralExpression(object)) {
          for (const property of object.properties) {
            if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === "next") {
              const next = functionOfArgument(property.initializer);
              if (next) listeners.add(next);
            } else if (ts.isMethodDeclaration(property) && ts.isIdentifier(property.name) && property.name.text === "next") {
              listeners.add(property);
            }
          }
        }
      });
    }
    // socket.onmessage = (event) => …
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      const name = node.left.name.text;
      if (/^on[a-z]+$/.test(name)) {
        const fn = functionOfArgument(node.right);
        if (fn) listeners.add(fn);
      }
    }
    return true;
  });
  return listeners;
}

/** The outermost-first chain of functions around a node; the listener among them, if any. */
function listenerAround(node: ts.Node, listeners: Set<ts.Node>): ts.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current) && listeners.has(current)) return current;
  }
  return undefined;
}

/** True when the listener pauses its source (`stream.pause()`): backpressure at the producer. */
function pausesSource(listener: ts.Node): boolean {
  let found = false;
  walk(listener, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "pause") found = true;
    return true;
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Per-file facts about stored values: which members are read, where arrays are pushed and shifted.

interface ArrayUse {
  storage: Storage;
  pushes: ts.CallExpression[];
  consumed: boolean;
  bounded: boolean;
}

interface FileFacts {
  members: Map<string, Set<string>>;
  arrays: Map<string, ArrayUse>;
}

function isEmptyArrayInit(init: ts.Expression | undefined): boolean {
  if (!init) return false;
  const node = unwrapExpression(init);
  if (ts.isArrayLiteralExpression(node)) return node.elements.length === 0;
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Array")
    return !node.arguments || node.arguments.length === 0;
  return false;
}

function arrayInitOf(storage: Storage, access: ts.Expression): ts.Expression | undefined {
  if (ts.isVariableDeclaration(storage.owner)) return storage.owner.initializer;
  return getInitializer(access);
}

const COMPARISONS = new Set([
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.MinusToken,
]);

function isSmallLiteral(node: ts.Expression): boolean {
  const value = unwrapExpression(node);
  return ts.isNumericLiteral(value) && Number(value.text) <= 1;
}

/** `queue.length >= MAX`, `queue.length - limit`: a comparison against a limit, not an emptiness test. */
function isLimitComparison(lengthAccess: ts.PropertyAccessExpression): boolean {
  const current = outerExpression(lengthAccess);
  const parent = current.parent;
  if (parent && ts.isBinaryExpression(parent) && COMPARISONS.has(parent.operatorToken.kind)) {
    const other = parent.left === current ? parent.right : parent.left;
    return !isSmallLiteral(other);
  }
  // queue.length = MAX (trimming)
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.left === current) {
    return !isZeroLiteral(parent.right);
  }
  return false;
}

function isLengthRead(node: ts.Expression): boolean {
  const value = unwrapExpression(node);
  return ts.isPropertyAccessExpression(value) && value.name.text === "length";
}

function computeFacts(sourceFile: ts.SourceFile, listeners: Set<ts.Node>): FileFacts {
  const members = new Map<string, Set<string>>();
  const arrays = new Map<string, ArrayUse>();
  const lengthReads: { storage: Storage; access: ts.PropertyAccessExpression }[] = [];
  const arrayUse = (storage: Storage): ArrayUse => {
    let use = arrays.get(storage.key);
    if (!use) {
      use = { storage, pushes: [], consumed: false, bounded: false };
      arrays.set(storage.key, use);
    }
    return use;
  };
  walk(sourceFile, (node) => {
    if (!ts.isPropertyAccessExpression(node)) return true;
    const storage = storageOf(node.expression);
    if (!storage) return true;
    const name = node.name.text;
    let set = members.get(storage.key);
    if (!set) members.set(storage.key, (set = new Set()));
    set.add(name);
    const call = node.parent && ts.isCallExpression(node.parent) && node.parent.expression === node ? node.parent : undefined;
    if (name === "length") lengthReads.push({ storage, access: node });
    if (!call || !isEmptyArrayInit(arrayInitOf(storage, node.expression))) return true;
    if (name === "push") arrayUse(storage).pushes.push(call);
    if (name === "shift") arrayUse(storage).consumed = true;
    // splice(0, n) takes a batch off the front; splice(0) or splice(0, x.length) empties a batch buffer.
    if (name === "splice" && call.arguments.length === 2 && isZeroLiteral(call.arguments[0]) && !isLengthRead(call.arguments[1]!))
      arrayUse(storage).consumed = true;
    return true;
  });
  for (const { storage, access } of lengthReads) {
    const use = arrays.get(storage.key);
    if (!use) continue;
    if (isLimitComparison(access)) use.bounded = true;
    // Any look at the length inside the listener that pushes is taken as the producer's check.
    const listener = listenerAround(access, listeners);
    if (listener && use.pushes.some((push) => listenerAround(push, listeners) === listener)) use.bounded = true;
  }
  return { members, arrays };
}

// ---------------------------------------------------------------------------------------------
// Capacities.

/** `(bufferSize?, windowTime?)` of ReplaySubject and the replay operators: both unlimited. */
function replayArgumentsUnbounded(args: readonly ts.Expression[]): boolean {
  if (args.some((argument) => ts.isSpreadElement(argument))) return false;
  const unlimited = (argument: ts.Expression | undefined) => isAbsentValue(argument) || isInfiniteValue(argument);
  return unlimited(args[0]) && unlimited(args[1]);
}

function shareReplayUnbounded(args: readonly ts.Expression[]): boolean {
  const first = args[0] && unwrapExpression(args[0]);
  // shareReplay(config) — a literal, or a variable holding one; anything else is (bufferSize, windowTime).
  const init = first && ts.isIdentifier(first) ? getInitializer(first) : undefined;
  const isConfig = !!first && (ts.isObjectLiteralExpression(first) || (!!init && ts.isObjectLiteralExpression(unwrapExpression(init))));
  if (first && isConfig) {
    const size = lookupOption(first, ["bufferSize"]);
    if (size.state === "unknown") return false;
    const sizeUnlimited = size.state === "unset" || isAbsentValue(size.value) || isInfiniteValue(size.value);
    if (!sizeUnlimited) return false;
    const window = lookupOption(first, ["windowTime"]);
    if (window.state === "unknown") return false;
    return window.state === "unset" || isAbsentValue(window.value) || isInfiniteValue(window.value);
  }
  return replayArgumentsUnbounded(args);
}

function isReplaySubjectRef(ref: ApiRef | undefined): boolean {
  return isRxApi(ref, "ReplaySubject");
}

/** A class that extends ReplaySubject, directly or through other classes of this file. */
function extendsReplaySubject(klass: ts.ClassLikeDeclaration, depth = 0): boolean {
  if (depth > 4) return false;
  const heritage = klass.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
  const base = heritage?.types[0]?.expression;
  if (!base) return false;
  if (isReplaySubjectRef(resolveApi(base))) return true;
  if (ts.isIdentifier(base)) {
    const declaration = findDeclaration(base);
    if (declaration && ts.isClassDeclaration(declaration))
      return extendsReplaySubject(declaration, depth + 1) && !hasConstructor(declaration);
  }
  return false;
}

function hasConstructor(klass: ts.ClassLikeDeclaration): boolean {
  return klass.members.some((member) => ts.isConstructorDeclaration(member) && !!member.body);
}

/** For a custom channel constructor: is its capacity missing or infinite? */
function customCapacityMissing(args: readonly ts.Expression[], capacity: ChannelConstructor["capacity"]): boolean {
  if (args.some((argument) => ts.isSpreadElement(argument))) return false;
  if (capacity.option !== undefined) {
    let target: ts.Expression | undefined;
    if (capacity.argument !== undefined) {
      target = args[capacity.argument];
    } else {
      target = args.find((argument) => ts.isObjectLiteralExpression(unwrapExpression(argument)));
      const opaque = args.some((argument) => {
        const node = unwrapExpression(argument);
        return (
          !ts.isObjectLiteralExpression(node) &&
          !ts.isLiteralExpression(node) &&
          !isFunctionNode(node) &&
          !ts.isArrayLiteralExpression(node)
        );
      });
      if (!target && opaque) return false;
    }
    const found = lookupOption(target, [capacity.option]);
    if (found.state === "unknown") return false;
    return found.state === "unset" || isAbsentValue(found.value) || isInfiniteValue(found.value);
  }
  if (capacity.argument !== undefined) {
    const argument = args[capacity.argument];
    return isAbsentValue(argument) || isInfiniteValue(argument);
  }
  return false;
}

function matchesExport(ref: ApiRef | undefined, channel: ChannelConstructor): boolean {
  if (!ref || ref.module !== channel.module) return false;
  const path = channel.export.split(".");
  if (channel.export === "default" && ref.path.length === 0) return true;
  return isApi(ref, channel.module, ...path);
}

/**
 * The checker's answer to "can `on()` pause this emitter?": Node applies `highWaterMark` only to
 * emitters with `pause()` and `resume()` (streams). False when there is no checker or no known type.
 */
function lacksPauseResume(checker: ts.TypeChecker | undefined, emitter: ts.Expression): boolean {
  if (!checker) return false;
  try {
    const type = checker.getTypeAtLocation(emitter);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
    const members = type.isUnion() ? type.types : [type];
    return members.some((member) => !member.getProperty("pause") || !member.getProperty("resume"));
  } catch {
    return false;
  }
}

function calleeText(node: ts.Expression): string {
  const text = node.getText();
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

export default defineTypeScriptRule<Options>({
  instead:
    "Give every queue a capacity and decide what happens when it is full — wait (backpressure), reject, or drop — as Tokio's `mpsc::channel(n)` does: `new ReplaySubject(n)`, `shareReplay({ bufferSize: 1, refCount: true })`, Piscina's `maxQueue`, a size check before `queue.add()`, Effect's `Queue.bounded(n)`/`dropping(n)`/`sliding(n)`.",
  needsTypes: false,
  messages: {
    replaySubject:
      "`new {{name}}()` without a buffer size replays every value it ever received to each new subscriber, so it keeps all of them: a long-lived subject grows until the process runs out of memory.",
    replaySubclass:
      "`super()` creates the ReplaySubject behind `{{name}}` without a buffer size: every instance keeps every value it ever received until the process runs out of memory.",
    replayOperator:
      "`{{name}}` without a buffer size keeps every value the source ever emitted for late subscribers: on a long-lived stream that grows until the process runs out of memory.",
    piscina:
      "`new {{name}}(…)` without `maxQueue` queues every task submitted while all workers are busy (Piscina's default queue is unbounded): under load the queued tasks and their payloads grow until memory runs out.",
    eventsOn:
      "`on(…)` buffers every event emitted while this `for await` body is awaiting, with no limit: when the emitter is faster than the loop body, the buffer grows without bound.",
    eventsOnNotPausable:
      "`highWaterMark` has no effect here: `on()` pauses only emitters with `pause()` and `resume()` (streams), so events emitted while this `for await` body is awaiting still buffer without limit.",
    queueFromListener:
      "`{{name}}.{{method}}()` feeds a {{library}} queue from an event listener without checking its size: when events arrive faster than the workers finish, the queue grows without bound.",
    arrayQueue:
      "`{{name}}` is used as a queue — pushed in an event listener, shifted elsewhere — with no length check: when events outpace the consumer it grows until memory runs out.",
    effectUnbounded:
      "`{{name}}()` creates a queue with no capacity: `offer` never waits, so a producer faster than its consumer grows memory without bound.",
    customChannel: "`{{name}}` is created without a capacity (`{{capacity}}`): when producers outpace the consumer it grows without bound.",
  },
  options: {
    properties: {
      channels: {
        description:
          'Your own channel or queue constructors, reported when created without a capacity (or with `Infinity`). Each entry names the module (the import source), the export (`default` for the default export, dots for a member such as `Channel.create`) and where the capacity goes: `{ "argument": n }` when it is the n-th argument (0-based), or `{ "option": "name" }` when it is a property of an options object (add `argument` to say which argument holds that object). For example, `{ "module": "@acme/chan", "export": "Channel", "capacity": { "argument": 0 } }` reports `new Channel()` but not `new Channel(100)`, and `{ "module": "@acme/chan", "export": "createMailbox", "capacity": { "option": "capacity" } }` reports `createMailbox({ name: "jobs" })` but not `createMailbox({ name: "jobs", capacity: 100 })`.',

        type: "array",
        items: {
          type: "object",
          required: ["module", "export", "capacity"],
          additionalProperties: false,
          properties: {
            module: {
              description:
                "The import source as written in imports, such as `@acme/chan` (a relative path matches only where it is written the same way).",
              type: "string",
            },
            export: { description: "The exported name: `Channel`, `default`, or a member path such as `Channel.create`.", type: "string" },
            capacity: {
              description: 'Where the capacity is passed: `{ argument: n }` or `{ option: "name" }` (optionally with `argument`).',
              type: "object",
              additionalProperties: false,
              properties: {
                argument: {
                  description: "0-based index of the argument holding the capacity (or the options object).",
                  type: "integer",
                  minimum: 0,
                },
                option: { description: "Name of the options property holding the capacity.", type: "string" },
              },
            },
          },
        },
        default: [],
      },
    },
    defaults: { channels: [] },
  },
  examples: {
    incorrect: [
      `import { ReplaySubject } from "rxjs";\n\nexport class AuditLog {\n  readonly entries$ = new ReplaySubject<string>();\n\n  record(entry: string) {\n    this.entries$.next(entry);\n  }\n}`,
      `import { ReplaySubject } from "rxjs";\n\nexport class EventHistory<T> extends ReplaySubject<T> {\n  constructor() {\n    super();\n  }\n}`,
      `import { shareReplay } from "rxjs";\nimport { prices$ } from "./feed.js";\n\nexport const latestPrices$ = prices$.pipe(shareReplay({ refCount: true }));`,
      `import Piscina from "piscina";\n\nconst pool = new Piscina({ filename: new URL("./resize.js", import.meta.url).href });\n\nexport function resize(image: Buffer) {\n  return pool.run(image);\n}`,
      `import { on } from "node:events";\nimport type { EventEmitter } from "node:events";\n\nexport async function consume(bus: EventEmitter) {\n  for await (const [order] of on(bus, "order")) {\n    await saveOrder(order);\n  }\n}`,
      `import PQueue from "p-queue";\nimport { createServer } from "node:http";\n\nconst queue = new PQueue({ concurrency: 4 });\n\ncreateServer((req, res) => {\n  queue.add(() => renderReport(req.url));\n  res.end("queued");\n}).listen(8080);`,
      `import type { Socket } from "node:net";\n\nconst pending: Buffer[] = [];\n\nexport function attach(socket: Socket) {\n  socket.on("data", (chunk) => pending.push(chunk));\n}\n\nexport async function drain() {\n  while (pending.length > 0) await write(pending.shift()!);\n}`,
      `import { Effect, Queue } from "effect";\n\nexport const program = Effect.gen(function* () {\n  const jobs = yield* Queue.unbounded<string>();\n  yield* Queue.offer(jobs, "resize");\n});`,
    ],
    correct: [
      `import { ReplaySubject } from "rxjs";\n\nexport const lastConfig$ = new ReplaySubject<Config>(1);`,
      `import { shareReplay } from "rxjs";\nimport { prices$ } from "./feed.js";\n\nexport const latestPrices$ = prices$.pipe(shareReplay({ bufferSize: 1, refCount: true }));`,
      `import Piscina from "piscina";\n\nconst pool = new Piscina({ filename: new URL("./resize.js", import.meta.url).href, maxQueue: "auto" });`,
      `import PQueue from "p-queue";\nimport { createServer } from "node:http";\n\nconst queue = new PQueue({ concurrency: 4 });\n\nconst server = createServer((req, res) => {\n  if (queue.size >= 100) {\n    res.statusCode = 503;\n    res.end("busy");\n    return;\n  }\n  queue.add(() => renderReport(req.url));\n  res.end("queued");\n});\nserver.listen(8080);\nprocess.on("SIGTERM", () => server.close());`,
      `import { Effect, Queue } from "effect";\n\nexport const program = Effect.gen(function* () {\n  const jobs = yield* Queue.bounded<string>(100);\n  yield* Queue.offer(jobs, "resize");\n});`,
    ],
  },
  knownLimits: [
    "Queues created in another file (an exported ReplaySubject, a shared PQueue) are judged only where they are created; feeds from listeners are seen only when the queue's creation is visible in the same file.",
    "A ReplaySubject subclass without its own constructor is reported only where the file itself calls `new Subclass()` without a buffer size.",
    "`on(emitter, name, { highWaterMark })` counts as bounded unless the type checker shows the emitter has no `pause()`/`resume()` (Node applies the mark only to such emitters, typically streams); a `signal` or `close` list ends the loop but does not bound the buffer, so it does not count. Loops whose body never awaits are not reported: they drain the buffer as fast as it fills.",
    "Any read of a queue's `size`, `pending`, `length()`, `running()`, `onSizeLessThan`, `onIdle` … in the file counts as a size check, wherever it is; for arrays, a `.length` comparison against a limit anywhere, or any `.length` read in the pushing listener.",
    "Event listeners are `on`/`addListener`/`addEventListener`/`prependListener` callbacks, `subscribe` callbacks, `onmessage`-style properties, `createServer` handlers and web-framework routes; queues fed from other sources (timers, loops over a paged API) are not reported.",
  ],
  create(context) {
    const channels = (context.options.channels ?? []).filter(
      (channel) =>
        channel &&
        typeof channel.module === "string" &&
        typeof channel.export === "string" &&
        channel.capacity &&
        (channel.capacity.argument !== undefined || channel.capacity.option !== undefined),
    );
    let listeners: Set<ts.Node> | undefined;
    let facts: FileFacts | undefined;
    const getListeners = () => (listeners ??= collectListeners(context.sourceFile));
    const getFacts = () => (facts ??= computeFacts(context.sourceFile, getListeners()));
    const readsMember = (storage: Storage | undefined, names: ReadonlySet<string>) => {
      if (!storage) return false;
      const read = getFacts().members.get(storage.key);
      return !!read && [...read].some((name) => names.has(name));
    };

    function checkCustom(node: ts.CallExpression | ts.NewExpression, ref: ApiRef | undefined): void {
      if (!ref || channels.length === 0) return;
      for (const channel of channels) {
        if (!matchesExport(ref, channel)) continue;
        if (!customCapacityMissing(node.arguments ?? [], channel.capacity)) return;
        const capacity = channel.capacity.option !== undefined ? channel.capacity.option : `argument ${channel.capacity.argument}`;
        context.report({ node, messageId: "customChannel", data: { name: calleeText(node.expression), capacity } });
        return;
      }
    }

    function checkQueueFeed(call: ts.CallExpression): void {
      const callee = unwrapExpression(call.expression);
      if (!ts.isPropertyAccessExpression(callee)) return;
      const method = callee.name.text;
      if (!FEED_METHODS["p-queue"].has(method) && !FEED_METHODS.async.has(method)) return;
      const init = getInitializer(callee.expression);
      if (!init || !(ts.isNewExpression(init) || ts.isCallExpression(init))) return;
      const ref = resolveApi(init.expression);
      let library: QueueLibrary | undefined;
      if (ts.isNewExpression(init) && isApi(ref, "p-queue")) library = "p-queue";
      else if (ts.isNewExpression(init) && isApi(ref, "p-queue", "PQueue")) library = "p-queue";
      else if (ts.isCallExpression(init) && (isApi(ref, "fastq") || isApi(ref, "fastq", "promise"))) library = "fastq";
      else if (
        ts.isCallExpression(init) &&
        ["queue", "priorityQueue", "cargo", "cargoQueue"].some(
          (name) => isApi(ref, ["async", "async-es"], name) || isApi(ref, `async/${name}`),
        )
      ) {
        library = "async";
      }
      if (!library || !FEED_METHODS[library].has(method)) return;
      const listener = listenerAround(call, getListeners());
      if (!listener) return;
      if (readsMember(storageOf(callee.expression), QUEUE_SIZE_MEMBERS) || pausesSource(listener)) return;
      context.report({ node: callee, messageId: "queueFromListener", data: { name: calleeText(callee.expression), method, library } });
    }

    return {
      NewExpression(node) {
        const ref = resolveApi(node.expression);
        const args = node.arguments ?? [];
        if (isReplaySubjectRef(ref)) {
          if (replayArgumentsUnbounded(args)) context.report({ node, messageId: "replaySubject", data: { name: "ReplaySubject" } });
          return;
        }
        if (isApi(ref, "piscina") || isApi(ref, "piscina", "Piscina")) {
          const maxQueue = lookupOption(args[0], ["maxQueue"]);
          if (maxQueue.state === "unknown") return;
          if (maxQueue.state === "set" && !isAbsentValue(maxQueue.value) && !isInfiniteValue(maxQueue.value)) return;
          if (maxQueue.state === "unset" && readsMember(storageOfValue(node), new Set(["queueSize"]))) return;
          context.report({ node, messageId: "piscina", data: { name: calleeText(node.expression) } });
          return;
        }
        // new Subclass() of a ReplaySubject subclass without a constructor of its own.
        const target = unwrapExpression(node.expression);
        if (ts.isIdentifier(target)) {
          const declaration = findDeclaration(target);
          if (
            declaration &&
            ts.isClassDeclaration(declaration) &&
            !hasConstructor(declaration) &&
            extendsReplaySubject(declaration) &&
            replayArgumentsUnbounded(args)
          ) {
            context.report({ node, messageId: "replaySubject", data: { name: target.text } });
            return;
          }
        }
        checkCustom(node, ref);
      },
      CallExpression(node) {
        if (node.expression.kind === ts.SyntaxKind.SuperKeyword) {
          const klass = enclosingClass(node);
          if (klass && extendsReplaySubject(klass) && replayArgumentsUnbounded(node.arguments)) {
            context.report({ node, messageId: "replaySubclass", data: { name: klass.name?.text ?? "this class" } });
          }
          return;
        }
        const ref = resolveApi(node.expression);
        const operator = REPLAY_OPERATORS.find((name) => isRxApi(ref, name));
        if (operator) {
          if (shareReplayUnbounded(node.arguments)) context.report({ node, messageId: "replayOperator", data: { name: `${operator}()` } });
          return;
        }
        for (const kind of ["Queue", "PubSub"]) {
          if (isApi(ref, "effect", kind, "unbounded") || isApi(ref, `effect/${kind}`, "unbounded")) {
            context.report({ node, messageId: "effectUnbounded", data: { name: `${kind}.unbounded` } });
            return;
          }
        }
        checkQueueFeed(node);
        checkCustom(node, ref);
      },
      ForOfStatement(node) {
        if (!node.awaitModifier) return;
        const iterated = unwrapExpression(node.expression);
        if (!ts.isCallExpression(iterated)) return;
        const ref = resolveApi(iterated.expression);
        if (!isApi(ref, "events", "on") && !isApi(ref, "events", "EventEmitter", "on")) return;
        if (iterated.arguments.length < 2) return;
        const highWaterMark = lookupOption(iterated.arguments[2], ["highWaterMark"]);
        if (highWaterMark.state === "unknown") return;
        const bounded = highWaterMark.state === "set" && !isAbsentValue(highWaterMark.value) && !isInfiniteValue(highWaterMark.value);
        if (collectAwaits(node.statement).length === 0) return;
        if (!bounded) {
          context.report({ node: iterated, messageId: "eventsOn" });
        } else if (lacksPauseResume(context.getTypeChecker(), iterated.arguments[0]!)) {
          context.report({ node: iterated, messageId: "eventsOnNotPausable" });
        }
      },
      "SourceFile:exit"() {
        if (!context.sourceFile.text.includes(".push(")) return;
        const { arrays } = getFacts();
        for (const use of arrays.values()) {
          if (!use.consumed || use.bounded) continue;
          const inListener = use.pushes.find((push) => {
            const listener = listenerAround(push, getListeners());
            if (!listener) return false;
            // The array must outlive the listener call: declared outside it.
            if (
              ts.isVariableDeclaration(use.storage.owner) &&
              listener.pos <= use.storage.owner.pos &&
              use.storage.owner.end <= listener.end
            )
              return false;
            return !pausesSource(listener);
          });
          if (!inListener) continue;
          context.report({ node: inListener.expression, messageId: "arrayQueue", data: { name: use.storage.name } });
        }
      },
    };
  },
});
