import { ts } from "#compiler";
import { resolveApi } from "../imports.js";
import { findDescendant, isFunctionNode, memberName, outerExpression, unwrapExpression, walk } from "../nodes.js";
import { findDeclaration } from "../scope.js";
import { enclosingScope, type Acquisition } from "./acquisitions.js";
import {
  addAbrupt,
  afterAcquire,
  afterRelease,
  emptyFlow,
  HELD,
  mergeExit,
  NONE,
  UNACQUIRED,
  type Exit,
  type Flow,
  type HeldWait,
  type Holding,
  type Jump,
} from "./flow.js";

/**
 * Where an acquired resource is held, which awaits run while it is, and on which path (a throw, an early exit, the end of the function) its release can be skipped.
 */
/** Analysis gives up (and reports nothing) beyond this nesting or this much work. */
const MAX_DEPTH = 100;
const MAX_STEPS = 20_000;

class GiveUp extends Error {}

type Reference = "release" | "handoff" | "use";

/** Calls that store their argument in a collection (`active.add(client)`): the collection owns it. */
const STORE_METHODS = new Set(["push", "unshift", "add", "set", "enqueue", "put"]);

/** Listener registration on the resource itself. */
const LISTEN_METHODS = new Set(["on", "once", "addListener", "addEventListener"]);

class HoldingAnalysis {
  private readonly memo = new Map<ts.Node, Map<number, Flow>>();
  private readonly waitMasks = new Map<ts.Node, { wait: HeldWait; mask: number }>();
  private steps = 0;
  /** True when the function releases the resource itself somewhere; passing it to a call is then a use, not a handoff. */
  readonly releasesLocally: boolean;
  /** True when the resource is released or escapes anywhere in the function. */
  readonly releasedOrEscapes: boolean;
  /** True when listeners are attached to the resource (`client.on("notification", …)`). */
  readonly listens: boolean;

  constructor(
    private readonly acquisition: Acquisition,
    scope: ts.Node,
  ) {
    let releases = false;
    walk(scope, (node) => {
      if (!releases && ts.isCallExpression(node) && this.isRelease(node)) releases = true;
      return !releases;
    });
    this.releasesLocally = releases;
    let escapes = false;
    walk(scope, (node) => {
      if (!escapes && ts.isIdentifier(node) && this.refersToBinding(node) && this.classifyReference(node, false) === "handoff")
        escapes = true;
      return !escapes;
    });
    this.releasedOrEscapes = releases || escapes;
    let listens = false;
    walk(scope, (node) => {
      if (!listens && ts.isCallExpression(node)) {
        const callee = unwrapExpression(node.expression);
        const receiver = ts.isPropertyAccessExpression(callee) ? unwrapExpression(callee.expression) : undefined;
        listens = !!receiver && ts.isIdentifier(receiver) && LISTEN_METHODS.has(memberName(callee) ?? "") && this.refersToBinding(receiver);
      }
      return !listens;
    });
    this.listens = listens;
  }

  private refersToBinding(identifier: ts.Identifier): boolean {
    const binding = this.acquisition.binding;
    if (!binding || !ts.isIdentifier(binding.name) || identifier.text !== binding.name.text || identifier === binding.name) return false;
    return findDeclaration(identifier) === binding;
  }

  isRelease(call: ts.CallExpression): boolean {
    const { acquisition } = this;
    const callee = unwrapExpression(call.expression);
    if (ts.isIdentifier(callee)) return acquisition.style === "releaser" && this.refersToBinding(callee);
    const method = memberName(callee);
    if (!method || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return false;
    const receiver = unwrapExpression(callee.expression);
    if (acquisition.family.valueRelease.includes(method) && ts.isIdentifier(receiver) && this.refersToBinding(receiver)) return true;
    if (acquisition.family.ownerRelease.includes(method) && acquisition.ownerText !== undefined) {
      return hasDottedName(receiver, acquisition.ownerText);
    }
    return false;
  }

  /** Whether an expression tests the binding for truthiness (`client`, `client != null`); `negated` for `!client`. */
  private testsBinding(expression: ts.Expression): "truthy" | "falsy" | undefined {
    let node = unwrapExpression(expression);
    let negated = false;
    while (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      negated = !negated;
      node = unwrapExpression(node.operand);
    }
    if (negated) {
      const inner = this.testsBinding(node);
      return inner === "truthy" ? "falsy" : inner === "falsy" ? "truthy" : undefined;
    }
    if (ts.isIdentifier(node) && this.refersToBinding(node)) return "truthy";
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      const left = unwrapExpression(node.left);
      const right = unwrapExpression(node.right);
      const isNullish = (side: ts.Expression) =>
        side.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(side) && side.text === "undefined");
      const bindingSide =
        (ts.isIdentifier(left) && this.refersToBinding(left) && isNullish(right)) ||
        (ts.isIdentifier(right) && this.refersToBinding(right) && isNullish(left));
      if (!bindingSide) return undefined;
      if (operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken) return "truthy";
      if (operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken) return "falsy";
    }
    return undefined;
  }

  /** How a reference to the binding affects the hold. `inNestedFunction` references run later. */
  private classifyReference(identifier: ts.Identifier, inNestedFunction: boolean): Reference | undefined {
    const site = outerExpression(identifier);
    const parent = site.parent;
    if (!parent) return undefined;
    const releaser = this.acquisition.style === "releaser";
    if (ts.isCallExpression(parent) && parent.expression === site) {
      return releaser ? "release" : "use";
    }
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === site) {
      if (releaser) return "handoff";
      const method = memberName(parent);
      const access = outerExpression(parent);
      const called = !!access.parent && ts.isCallExpression(access.parent) && access.parent.expression === access;
      // `client.release()` releases; `client.release` passed on (`.bind(client)`) hands the release off.
      if (method && this.acquisition.family.valueRelease.includes(method)) return called ? "release" : "handoff";
      return "use";
    }
    if (ts.isBinaryExpression(parent) && parent.left === site && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return undefined;
    if (ts.isIfStatement(parent) || (ts.isConditionalExpression(parent) && parent.condition === site)) return undefined;
    if (ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || ts.isAwaitExpression(parent)) return undefined;
    if (ts.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      if (
        operator === ts.SyntaxKind.EqualsEqualsToken ||
        operator === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        operator === ts.SyntaxKind.ExclamationEqualsToken ||
        operator === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        ((operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) && parent.left === site)
      ) {
        return undefined;
      }
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      // Passed to a function: it owns the resource only if this function never releases it itself.
      const stored = ts.isCallExpression(parent) && STORE_METHODS.has(memberName(unwrapExpression(parent.expression)) ?? "");
      if (releaser || inNestedFunction || stored || !this.releasesLocally) return "handoff";
      return "use";
    }
    return "handoff";
  }

  private isConditional(node: ts.Node, root: ts.Node): boolean {
    for (let child = node, parent = node.parent; parent && child !== root; child = parent, parent = parent.parent) {
      if (ts.isBinaryExpression(parent) && parent.right === child) {
        const operator = parent.operatorToken.kind;
        if (operator === ts.SyntaxKind.AmpersandAmpersandToken) {
          if (this.testsBinding(parent.left) !== "truthy") return true;
        } else if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
          return true;
        }
      }
      if (ts.isConditionalExpression(parent) && parent.condition !== child) {
        const test = this.testsBinding(parent.condition);
        if (!(test === "truthy" && parent.whenTrue === child) && !(test === "falsy" && parent.whenFalse === child)) return true;
      }
    }
    return false;
  }

  private recordWait(wait: HeldWait, mask: number): void {
    const previous = this.waitMasks.get(wait.node);
    this.waitMasks.set(wait.node, { wait, mask: (previous?.mask ?? 0) | mask });
  }

  /** The effect of evaluating an expression (or a statement's expressions), in evaluation order. */
  private expression(root: ts.Node, entry: number): Flow {
    const flow = emptyFlow(entry);
    let mask = entry;
    const throwFrom = (node: ts.Node) => {
      flow.thrown = mergeExit(flow.thrown, { mask, site: node });
    };
    // Post-order (children before parents, left to right) approximates evaluation order.
    const stack: { node: ts.Node; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      const node = top.node;
      if (node !== root && (isFunctionNode(node) || ts.isClassLike(node))) {
        mask = this.closure(node, mask);
        continue;
      }
      if (!top.expanded) {
        stack.push({ node, expanded: true });
        const children: ts.Node[] = [];
        ts.forEachChild(node, (child) => {
          children.push(child);
        });
        for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, expanded: false });
        continue;
      }
      this.step();
      if (ts.isAwaitExpression(node)) {
        this.recordWait({ node, operand: node.expression }, mask);
        throwFrom(node);
        if (node === this.acquisition.acquiredAt) mask = afterAcquire(mask, this.isConditional(node, root));
      } else if (ts.isCallExpression(node)) {
        if (this.isRelease(node)) mask = afterRelease(mask, this.isConditional(node, root));
        else if (!cannotThrow(node) && !this.releasedByChain(node)) throwFrom(node);
      } else if (ts.isNewExpression(node) ? !constructsError(node) : ts.isTaggedTemplateExpression(node)) {
        throwFrom(node);
      } else if (ts.isYieldExpression(node)) {
        // The consumer may stop iterating here (`break` in its loop), which returns from the generator.
        flow.returned = mergeExit(flow.returned, { mask, site: node });
      } else if (ts.isIdentifier(node) && this.refersToBinding(node)) {
        const reference = this.classifyReference(node, false);
        if (reference === "handoff") mask = afterRelease(mask, this.isConditional(node, root));
      }
    }
    flow.normal = mask;
    return flow;
  }

  /**
   * `fh.stat().finally(() => fh.close())`: a failure of the call becomes a rejection that the chained
   * handler sees, so the release is not skipped (a synchronous throw from a promise API is not a real path).
   */
  private releasedByChain(call: ts.CallExpression): boolean {
    for (let current: ts.Node = call; ;) {
      const access = outerExpression(current).parent;
      if (!access || !ts.isPropertyAccessExpression(access) || !["then", "catch", "finally"].includes(access.name.text)) return false;
      const chained = access.parent;
      if (!chained || !ts.isCallExpression(chained) || chained.expression !== access) return false;
      const releases = (argument: ts.Expression) => {
        const handler = unwrapExpression(argument);
        if (ts.isIdentifier(handler)) return this.acquisition.style === "releaser" && this.refersToBinding(handler);
        return isFunctionNode(handler) && this.closure(handler, HELD) !== HELD;
      };
      // `.finally(release)` runs on both outcomes; `.then(ok, failed)` only when both handlers release.
      const method = access.name.text;
      if (method === "finally" && chained.arguments.some(releases)) return true;
      if (method === "then" && chained.arguments.length >= 2 && chained.arguments.slice(0, 2).every(releases)) return true;
      current = chained;
    }
  }

  /** A function or class created here: a release inside it (or the resource escaping into it) hands the release off. */
  private closure(node: ts.Node, mask: number): number {
    let handsOff = false;
    walk(node, (inner) => {
      if (handsOff) return false;
      if (ts.isCallExpression(inner) && this.isRelease(inner)) handsOff = true;
      else if (ts.isIdentifier(inner) && this.refersToBinding(inner) && this.classifyReference(inner, true) === "handoff") handsOff = true;
      return !handsOff;
    });
    return handsOff ? afterRelease(mask, false) : mask;
  }

  private step(): void {
    if (++this.steps > MAX_STEPS) throw new GiveUp();
  }

  statements(statements: readonly ts.Statement[], from: number, entry: number, depth: number): Flow {
    const flow = emptyFlow(entry);
    let mask = entry;
    for (let i = from; i < statements.length && mask !== 0; i++) {
      const result = this.statement(statements[i]!, mask, depth);
      addAbrupt(flow, result);
      mask = result.normal;
    }
    flow.normal = mask;
    return flow;
  }

  private statement(node: ts.Statement, entry: number, depth: number, label?: string): Flow {
    if (depth > MAX_DEPTH) throw new GiveUp();
    let byMask = this.memo.get(node);
    const cached = label === undefined ? byMask?.get(entry) : undefined;
    if (cached) return cached;
    this.step();
    const result = this.compute(node, entry, depth, label);
    if (label === undefined) {
      if (!byMask) this.memo.set(node, (byMask = new Map()));
      byMask.set(entry, result);
    }
    return result;
  }

  private compute(node: ts.Statement, entry: number, depth: number, label: string | undefined): Flow {
    if (ts.isBlock(node)) return this.statements(node.statements, 0, entry, depth + 1);
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node)) return this.expression(node, entry);
    if (ts.isReturnStatement(node)) {
      const flow = node.expression ? this.expression(node.expression, entry) : emptyFlow(entry);
      flow.returned = mergeExit(flow.returned, { mask: flow.normal, site: node });
      flow.normal = 0;
      return flow;
    }
    if (ts.isThrowStatement(node)) {
      const flow = this.expression(node.expression, entry);
      flow.thrown = mergeExit(flow.thrown, { mask: flow.normal, site: node });
      flow.normal = 0;
      return flow;
    }
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
      const flow = emptyFlow(0);
      flow.jumps = [{ kind: ts.isBreakStatement(node) ? "break" : "continue", label: node.label?.text, exit: { mask: entry, site: node } }];
      return flow;
    }
    if (ts.isIfStatement(node)) return this.ifStatement(node, entry, depth);
    if (ts.isTryStatement(node)) return this.tryStatement(node, entry, depth);
    if (ts.isLabeledStatement(node)) {
      return this.resolveLabel(this.statement(node.statement, entry, depth + 1, node.label.text), node.label.text);
    }
    if (ts.isIterationStatement(node, false)) return this.loop(node, entry, depth, label);
    if (ts.isSwitchStatement(node)) return this.switchStatement(node, entry, depth);
    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) return emptyFlow(this.closure(node, entry));
    return emptyFlow(entry);
  }

  /** `break label` out of a labeled block completes the labeled statement normally. */
  private resolveLabel(flow: Flow, label: string): Flow {
    let normal = flow.normal;
    const remaining: Jump[] = [];
    for (const jump of flow.jumps) {
      if (jump.kind === "break" && jump.label === label) normal |= jump.exit.mask;
      else remaining.push(jump);
    }
    return { ...flow, normal, jumps: remaining };
  }

  private inFinally(node: ts.Node): boolean {
    for (let child = node, parent = node.parent; parent && !isFunctionNode(parent); child = parent, parent = parent.parent) {
      if (ts.isTryStatement(parent) && parent.finallyBlock === child) return true;
    }
    return false;
  }

  private containsRelease(statement: ts.Statement): boolean {
    return !!findDescendant(statement, (node): node is ts.CallExpression => ts.isCallExpression(node) && this.isRelease(node));
  }

  private ifStatement(node: ts.IfStatement, entry: number, depth: number): Flow {
    const condition = this.expression(node.expression, entry);
    const test = this.acquisition.binding ? this.testsBinding(node.expression) : undefined;
    const unacquiredOnly = condition.normal & UNACQUIRED;
    const acquiredOnly = condition.normal & ~UNACQUIRED;
    let thenEntry = test === "truthy" ? acquiredOnly : test === "falsy" ? unacquiredOnly : condition.normal;
    let elseEntry = test === "truthy" ? unacquiredOnly : test === "falsy" ? acquiredOnly : condition.normal;
    if (!test && this.inFinally(node)) {
      // `finally { if (!released) client.release(); }`: a flag that guards against a double release.
      // The branch without the release runs only once it is released, so it is not a leak.
      const thenReleases = this.containsRelease(node.thenStatement);
      const elseReleases = !!node.elseStatement && this.containsRelease(node.elseStatement);
      if (thenReleases && !elseReleases) elseEntry = afterRelease(elseEntry, false);
      if (elseReleases && !thenReleases) thenEntry = afterRelease(thenEntry, false);
    }
    const flow = emptyFlow(0);
    addAbrupt(flow, condition);
    if (thenEntry) {
      const then = this.statement(node.thenStatement, thenEntry, depth + 1);
      addAbrupt(flow, then);
      flow.normal |= then.normal;
    }
    if (node.elseStatement) {
      if (elseEntry) {
        const otherwise = this.statement(node.elseStatement, elseEntry, depth + 1);
        addAbrupt(flow, otherwise);
        flow.normal |= otherwise.normal;
      }
    } else {
      flow.normal |= elseEntry;
    }
    return flow;
  }

  private tryStatement(node: ts.TryStatement, entry: number, depth: number): Flow {
    const body = this.statement(node.tryBlock, entry, depth + 1);
    let flow: Flow = body;
    if (node.catchClause) {
      flow = { normal: body.normal, thrown: NONE, returned: body.returned, jumps: body.jumps };
      if (body.thrown.mask) {
        const handler = this.statement(node.catchClause.block, body.thrown.mask, depth + 1);
        addAbrupt(flow, handler);
        flow.normal |= handler.normal;
      }
    }
    if (!node.finallyBlock) return flow;
    const finallyBlock = node.finallyBlock;
    const result = emptyFlow(0);
    const through = (exit: Exit): Exit => {
      if (exit.mask === 0) return NONE;
      const after = this.statement(finallyBlock, exit.mask, depth + 1);
      addAbrupt(result, after);
      return { mask: after.normal, site: after.normal & HELD ? exit.site : undefined };
    };
    if (flow.normal) {
      const after = this.statement(finallyBlock, flow.normal, depth + 1);
      addAbrupt(result, after);
      result.normal = after.normal;
    }
    result.thrown = mergeExit(result.thrown, through(flow.thrown));
    result.returned = mergeExit(result.returned, through(flow.returned));
    for (const jump of flow.jumps) {
      const exit = through(jump.exit);
      if (exit.mask) result.jumps = [...result.jumps, { ...jump, exit }];
    }
    return result;
  }

  private loop(node: ts.IterationStatement, entry: number, depth: number, label: string | undefined): Flow {
    const flow = emptyFlow(0);
    let head = entry;
    if (ts.isForStatement(node) && node.initializer) {
      const init = this.expression(node.initializer, head);
      addAbrupt(flow, init);
      head = init.normal;
    }
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      const iterated = this.expression(node.expression, head);
      addAbrupt(flow, iterated);
      head = iterated.normal;
    }
    const condition = ts.isWhileStatement(node) ? node.expression : ts.isForStatement(node) ? node.condition : undefined;
    // Masks only grow, so a few rounds reach the fixed point; the last round covers every path.
    let last = emptyFlow(0);
    for (let round = 0; round < 4 && head !== 0; round++) {
      const parts: Flow[] = [];
      let bodyEntry = head;
      let leaves = 0;
      if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
        // Each step of the iterator may throw and, for `for await`, waits.
        if (ts.isForOfStatement(node) && node.awaitModifier) this.recordWait({ node, operand: node.expression }, head);
        parts.push({ ...emptyFlow(head), thrown: { mask: head, site: node } });
        leaves = head;
      } else if (condition) {
        const tested = this.expression(condition, head);
        parts.push(tested);
        bodyEntry = tested.normal;
        leaves = isAlwaysTrue(condition) ? 0 : tested.normal;
      }
      const body = this.statement(node.statement, bodyEntry, depth + 1);
      let backEdge = body.normal;
      const others: Jump[] = [];
      for (const jump of body.jumps) {
        const ours = jump.label === undefined || jump.label === label;
        if (ours && jump.kind === "break") leaves |= jump.exit.mask;
        else if (ours && jump.kind === "continue") backEdge |= jump.exit.mask;
        else others.push(jump);
      }
      parts.push({ ...body, jumps: others });
      if (ts.isForStatement(node) && node.incrementor && backEdge) {
        const increment = this.expression(node.incrementor, backEdge);
        parts.push(increment);
        backEdge = increment.normal;
      }
      if (ts.isDoStatement(node) && backEdge) {
        const tested = this.expression(node.expression, backEdge);
        parts.push(tested);
        if (!isAlwaysTrue(node.expression)) leaves |= tested.normal;
        backEdge = tested.normal;
      }
      last = emptyFlow(leaves);
      for (const part of parts) addAbrupt(last, part);
      const next = head | backEdge;
      if (next === head) break;
      head = next;
    }
    addAbrupt(flow, last);
    flow.normal = last.normal;
    return flow;
  }

  private switchStatement(node: ts.SwitchStatement, entry: number, depth: number): Flow {
    const discriminant = this.expression(node.expression, entry);
    const flow = emptyFlow(0);
    addAbrupt(flow, discriminant);
    const start = discriminant.normal;
    let fallthrough = 0;
    let hasDefault = false;
    for (const clause of node.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      let clauseEntry = start | fallthrough;
      if (ts.isCaseClause(clause)) {
        const test = this.expression(clause.expression, clauseEntry);
        addAbrupt(flow, test);
        clauseEntry = test.normal;
      }
      const body = this.statements(clause.statements, 0, clauseEntry, depth + 1);
      for (const jump of body.jumps) {
        if (jump.kind === "break" && jump.label === undefined) flow.normal |= jump.exit.mask;
        else flow.jumps = [...flow.jumps, jump];
      }
      flow.thrown = mergeExit(flow.thrown, body.thrown);
      flow.returned = mergeExit(flow.returned, body.returned);
      fallthrough = body.normal;
    }
    flow.normal |= fallthrough | (hasDefault ? 0 : start);
    return flow;
  }

  waits(): HeldWait[] {
    return [...this.waitMasks.values()].filter((entry) => entry.mask === HELD).map((entry) => entry.wait);
  }
}

/** Built-ins that do not throw on any argument: logging to the console, `Math.*`, `Date.now()`, `Array.isArray`, `Number.isX`. */
function cannotThrow(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  if (!ref || ref.module !== "<global>") return false;
  const [owner, member] = ref.path;
  if (ref.path.length !== 2 || !owner || !member) return false;
  if (owner === "console" || owner === "Math") return true;
  return (
    (owner === "Date" && member === "now") || (owner === "Array" && member === "isArray") || (owner === "Number" && member.startsWith("is"))
  );
}

/** `new Error(…)`, `new HttpError(…)`: building the exception to throw is not where it throws. */
function constructsError(node: ts.NewExpression): boolean {
  const callee = unwrapExpression(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  return !!name && /Error$/.test(name);
}

/** `dottedName(expression) === text`, without recursion (property chains can be arbitrarily long). */
export function hasDottedName(expression: ts.Expression, text: string): boolean {
  const parts = text.split(".");
  let node = unwrapExpression(expression);
  for (let i = parts.length - 1; i > 0; i--) {
    if (!ts.isPropertyAccessExpression(node) || node.name.text !== parts[i]) return false;
    node = unwrapExpression(node.expression);
  }
  if (parts[0] === "this") return node.kind === ts.SyntaxKind.ThisKeyword;
  return ts.isIdentifier(node) && node.text === parts[0];
}

function isAlwaysTrue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return node.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(node) && node.text !== "0");
}

/** The statement list and index where the hold begins: the binding's declaration, or the acquire's statement. */
function region(acquisition: Acquisition): { statements: readonly ts.Statement[]; from: number; container: ts.Node } | undefined {
  let anchor: ts.Node | undefined;
  if (acquisition.binding) {
    anchor = acquisition.binding;
    while (anchor && !ts.isVariableStatement(anchor)) anchor = anchor.parent;
  } else {
    const fn = enclosingScope(acquisition.call);
    for (let current: ts.Node = acquisition.call; current.parent; current = current.parent) {
      if (current.parent === fn || (ts.isBlock(current.parent) && current.parent.parent === fn)) {
        anchor = current;
        break;
      }
    }
  }
  const container = anchor?.parent;
  if (!anchor || !container) return undefined;
  const statements =
    ts.isBlock(container) ||
    ts.isSourceFile(container) ||
    ts.isModuleBlock(container) ||
    ts.isCaseClause(container) ||
    ts.isDefaultClause(container)
      ? container.statements
      : undefined;
  if (!statements) return undefined;
  const from = statements.indexOf(anchor as ts.Statement);
  return from < 0 ? undefined : { statements, from, container };
}

function blockAwaits(nodes: readonly ts.Node[]): HeldWait[] {
  const waits: HeldWait[] = [];
  for (const root of nodes) {
    walk(root, (node) => {
      if (node !== root && isFunctionNode(node)) return false;
      if (ts.isAwaitExpression(node)) waits.push({ node, operand: node.expression });
      if (ts.isForOfStatement(node) && node.awaitModifier) waits.push({ node, operand: node.expression });
      return true;
    });
  }
  return waits;
}

/** What a `runExclusive` callback waits for while it holds the lock, including the promise it returns. */
function callbackWaits(callback: ts.FunctionLikeDeclaration): HeldWait[] {
  const body = callback.body;
  if (!body) return [];
  if (!ts.isBlock(body)) {
    const expression = unwrapExpression(body as ts.Expression);
    return ts.isAwaitExpression(expression)
      ? blockAwaits([expression])
      : [{ node: expression, operand: expression }, ...blockAwaits([expression])];
  }
  const waits = blockAwaits([body]);
  walk(body, (node) => {
    if (node !== body && isFunctionNode(node)) return false;
    if (ts.isReturnStatement(node) && node.expression && !ts.isAwaitExpression(unwrapExpression(node.expression))) {
      waits.push({ node: node.expression, operand: node.expression });
    }
    return true;
  });
  return waits;
}

/**
 * Where an acquisition holds its resource and whether its release can be skipped. Undefined when the
 * code is beyond this analysis (it then reports nothing rather than guess).
 */
export function analyseHolding(acquisition: Acquisition): Holding | undefined {
  if (acquisition.style === "scoped") return acquisition.callback ? { waits: callbackWaits(acquisition.callback) } : undefined;
  const span = region(acquisition);
  if (!span) return undefined;
  if (acquisition.style === "using") return { waits: blockAwaits(span.statements.slice(span.from + 1)) };
  const analysis = new HoldingAnalysis(acquisition, enclosingScope(acquisition.call));
  // A lock taken here and released nowhere in this function is a lock() helper; its caller releases.
  if (acquisition.style === "owner" && !analysis.releasesLocally) return undefined;
  // A client that gets listeners and no release here is kept on purpose (a LISTEN/NOTIFY connection).
  const keptOnPurpose = analysis.listens && !analysis.releasesLocally;
  let flow: Flow;
  try {
    flow = analysis.statements(span.statements, span.from, UNACQUIRED, 0);
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
  const waits = analysis.waits();
  if (keptOnPurpose) return { waits };
  if (!analysis.releasedOrEscapes) return { waits, leak: { reason: "never", site: acquisition.call } };
  const exit = [flow.returned, ...flow.jumps.map((jump) => jump.exit)].find((candidate) => candidate.mask & HELD && candidate.site);
  if (exit) return { waits, leak: { reason: "exit", site: exit.site! } };
  if (flow.thrown.mask & HELD && flow.thrown.site) return { waits, leak: { reason: "throw", site: flow.thrown.site } };
  if (flow.normal & HELD) return { waits, leak: { reason: "end", site: span.container } };
  return { waits };
}
