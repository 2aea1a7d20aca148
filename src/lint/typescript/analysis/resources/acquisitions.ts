import { ts } from "#compiler";
import type { ProgramView } from "../../rule.js";
import { resolveApi, type ApiRef } from "../imports.js";
import { dottedName, isFunctionNode, memberName, outerExpression, unwrapExpression } from "../nodes.js";
import { findDeclaration, getInitializer } from "../scope.js";
import { matches, type ResourceFamily, type ResourceKind } from "./families.js";

/**
 * Where a value was created (following bindings, fields and imports), and which calls acquire a resource of a known family.
 */

/** How a value was created: the API of its constructor or factory, then the methods called on the result. */
export interface Creation {
  ref: ApiRef;
  /** Methods called on the created value to get this one: `["connect"]` for `await pool.connect()`. */
  via: string[];
  /** The `new`/call expression, when the value comes from one (not from a type annotation). */
  expression?: ts.CallExpression | ts.NewExpression;
}

function typeRef(type: ts.TypeNode | undefined): ApiRef | undefined {
  if (!type) return undefined;
  if (ts.isUnionTypeNode(type)) {
    for (const member of type.types) {
      const ref = typeRef(member);
      if (ref) return ref;
    }
    return undefined;
  }
  if (!ts.isTypeReferenceNode(type)) return undefined;
  const name = type.typeName;
  if (ts.isIdentifier(name)) return resolveApi(name);
  if (ts.isIdentifier(name.left)) {
    const base = resolveApi(name.left);
    return base ? { module: base.module, path: [...base.path, name.right.text] } : undefined;
  }
  return undefined;
}

function memberType(type: ts.TypeNode | undefined, name: string): ts.TypeNode | undefined {
  if (!type || !ts.isTypeLiteralNode(type)) return undefined;
  for (const member of type.members) {
    if (ts.isPropertySignature(member) && member.name && ts.isIdentifier(member.name) && member.name.text === name) return member.type;
  }
  return undefined;
}

/**
 * The annotated type of a name destructured from an object whose type is written out:
 * `const { pool } = options` with `options: { pool: Pool }`, or `({ pool }: { pool: Pool })`.
 */
function destructuredType(element: ts.BindingElement): ts.TypeNode | undefined {
  const pattern = element.parent;
  if (!ts.isObjectBindingPattern(pattern) || element.dotDotDotToken) return undefined;
  const key = element.propertyName ?? element.name;
  if (!ts.isIdentifier(key)) return undefined;
  const holder = pattern.parent;
  if (ts.isParameter(holder)) return memberType(holder.type, key.text);
  if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
  const source = unwrapExpression(holder.initializer);
  if (!ts.isIdentifier(source)) return undefined;
  const declaration = findDeclaration(source);
  if (!declaration || !(ts.isParameter(declaration) || ts.isVariableDeclaration(declaration))) return undefined;
  return memberType(declaration.type, key.text);
}

/** The type annotation of `this.name`: a field or a constructor parameter property. */
function thisPropertyType(access: ts.PropertyAccessExpression): ts.TypeNode | undefined {
  const klass = ts.findAncestor(access, (node) => ts.isClassDeclaration(node) || ts.isClassExpression(node)) as
    ts.ClassLikeDeclaration | undefined;
  if (!klass) return undefined;
  const name = access.name.text;
  for (const member of klass.members) {
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member.type;
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name && ts.getModifiers(parameter)?.length) return parameter.type;
      }
    }
  }
  return undefined;
}

/** The initializer of `export const name = …` / `export default …` in another file of the run. */
function exportedInitializer(program: ProgramView | undefined, fromFile: string, ref: ApiRef): ts.Expression | undefined {
  if (!program || !ref.module.startsWith(".") || ref.path.length !== 1) return undefined;
  const file = program.resolveImport(fromFile, ref.module);
  if (!file) return undefined;
  const name = ref.path[0]!;
  for (const statement of file.sourceFile.statements) {
    if (name === "default" && ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
    if (!ts.isVariableStatement(statement)) continue;
    if (!ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

/**
 * How the value of an expression was created: `new Pool()` for `pool` after `const pool = new Pool()`,
 * for `this.pool` (field or constructor assignment), for a parameter or field annotated `Pool`, and
 * for `pool` imported from another file of the run that exports `const pool = new Pool()`.
 */
export function resolveCreation(expression: ts.Expression, program?: ProgramView, depth = 0): Creation | undefined {
  if (depth > 6) return undefined;
  let node = unwrapExpression(expression);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
    const ref = resolveApi(node.expression);
    if (ref && ref.module !== "<global>") return { ref, via: [], expression: node };
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (method && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
      const base = resolveCreation(callee.expression, program, depth + 1);
      if (base) return { ref: base.ref, via: [...base.via, method], expression: base.expression };
    }
    return undefined;
  }
  if (ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword)) {
    const init = getInitializer(node);
    if (init) {
      const inner = unwrapExpression(init);
      if (inner !== node) {
        const created = resolveCreation(inner, program, depth + 1);
        if (created) return created;
      }
    }
    let type: ts.TypeNode | undefined;
    if (ts.isIdentifier(node)) {
      const declaration = findDeclaration(node);
      if (declaration && (ts.isParameter(declaration) || ts.isVariableDeclaration(declaration))) type = declaration.type;
      if (declaration && ts.isBindingElement(declaration)) type = destructuredType(declaration);
      if (!declaration || ts.isImportSpecifier(declaration) || ts.isImportClause(declaration)) {
        const ref = resolveApi(node);
        const exported = ref && exportedInitializer(program, node.getSourceFile().fileName, ref);
        if (exported) return resolveCreation(exported, program, depth + 1);
      }
    } else {
      type = thisPropertyType(node);
    }
    const ref = typeRef(type);
    return ref ? { ref, via: [] } : undefined;
  }
  if (ts.isPropertyAccessExpression(node)) {
    const ref = resolveApi(node);
    const exported = ref && exportedInitializer(program, node.getSourceFile().fileName, ref);
    if (exported) return resolveCreation(exported, program, depth + 1);
  }
  return undefined;
}

interface OwnerMatch {
  family: ResourceFamily;
  /** `new Semaphore(n)` with a literal `n`. */
  capacity?: number;
}

/** What the analysis may use besides syntax: other files of the run, and the type checker to confirm. */
export interface ResourceEnv {
  program?: ProgramView;
  getTypeChecker?: () => ts.TypeChecker | undefined;
}

function declaredInPackage(fileName: string, module: string): boolean {
  const normalized = fileName.replace(/\\/g, "/");
  return normalized.includes(`/node_modules/${module}/`) || normalized.includes(`/node_modules/@types/${module}/`);
}

/** With type information: an owner whose type is the library's class (`Mutex` declared in node_modules/async-mutex). */
function ownerFromType(expression: ts.Expression, families: readonly ResourceFamily[], checker: ts.TypeChecker): OwnerMatch | undefined {
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(expression);
  } catch {
    return undefined;
  }
  for (const member of type.isUnion() ? type.types : [type]) {
    const symbol = member.getSymbol() ?? member.aliasSymbol;
    const declarations = symbol?.getDeclarations() ?? [];
    if (!symbol || declarations.length === 0) continue;
    for (const family of families) {
      const known = family.ownerTypes.some((pattern) => {
        const name = pattern.path[pattern.path.length - 1];
        if (!name || name === "default" || symbol.name !== name) return false;
        return declarations.some((declaration) =>
          pattern.modules.some((module) => declaredInPackage(declaration.getSourceFile().fileName, module)),
        );
      });
      if (known) return { family };
    }
  }
  return undefined;
}

function ownerOf(
  expression: ts.Expression,
  families: readonly ResourceFamily[],
  program: ProgramView | undefined,
  depth = 0,
): OwnerMatch | undefined {
  if (depth > 4) return undefined;
  const created = resolveCreation(expression, program);
  if (!created || created.via.length > 0) return undefined;
  for (const family of families) {
    if (created.expression ? matches(created.ref, family.owners) : matches(created.ref, family.ownerTypes)) {
      const first = created.expression?.arguments?.[0];
      const capacity = first && ts.isNumericLiteral(first) ? Number(first.text) : undefined;
      return { family, capacity };
    }
  }
  const wrapped = created.expression?.arguments?.[0];
  if (wrapped && families.some((family) => matches(created.ref, family.wrappers))) {
    return ownerOf(wrapped, families, program, depth + 1);
  }
  return undefined;
}

/**
 * - `releaser`: the acquired value is the release function (`const release = await mutex.acquire()`).
 * - `handle`: the acquired value is released through a method (`client.release()`, `fh.close()`).
 * - `owner`: the value is dropped and the owner releases (`await mutex.acquire(); … mutex.release()`).
 * - `scoped`: a callback runs while held and the owner releases after it (`runExclusive`).
 * - `using`: bound with `using`/`await using`, released at the end of the block.
 */
export type AcquisitionStyle = "releaser" | "handle" | "owner" | "scoped" | "using";

export interface Acquisition {
  call: ts.CallExpression;
  family: ResourceFamily;
  kind: ResourceKind;
  style: AcquisitionStyle;
  /** What is held, for messages: the owner (`this.mutex`) for locks, the binding (`client`) for handles. */
  label: string;
  /** The expression whose completion starts the hold (the `await` around the call). */
  acquiredAt: ts.Expression;
  /** The declaration of the release function or handle. */
  binding?: ts.VariableDeclaration | ts.BindingElement;
  /** `this.mutex`: the owner, as text, for `owner.release()`. */
  ownerText?: string;
  /** Literal capacity of a semaphore owner. */
  capacity?: number;
  /** For `scoped`: the callback that runs while held. */
  callback?: ts.FunctionLikeDeclaration;
}

const acquireNameCache = new WeakMap<readonly ResourceFamily[], Set<string>>();

function acquireNames(families: readonly ResourceFamily[]): Set<string> {
  const cached = acquireNameCache.get(families);
  if (cached) return cached;
  const names = new Set<string>();
  acquireNameCache.set(families, names);
  for (const family of families) {
    for (const name of family.acquireMethods) names.add(name);
    for (const name of family.exclusiveMethods) names.add(name);
    for (const fn of family.functions) names.add(fn.path[fn.path.length - 1] ?? "");
  }
  return names;
}

function localFunction(expression: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const node = unwrapExpression(expression);
  if (isFunctionNode(node)) return node;
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  if (declaration && ts.isFunctionDeclaration(declaration)) return declaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (isFunctionNode(init)) return init;
  }
  return undefined;
}

/**
 * For families whose acquire gives either the release function or a permit object: true when the
 * binding is released through a method (`permit.release()`) somewhere in its scope.
 */
function releasedThroughMethod(declaration: ts.VariableDeclaration, family: ResourceFamily): boolean {
  if (family.valueRelease.length === 0 || !ts.isIdentifier(declaration.name)) return false;
  const name = declaration.name.text;
  const scope = enclosingScope(declaration);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      family.valueRelease.includes(node.expression.name.text) &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === name &&
      findDeclaration(node.expression.expression) === declaration
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

function isUsingDeclaration(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Using) !== 0;
}

/**
 * The acquisition a call makes, when it is one this analysis can follow: an awaited acquire whose
 * result is bound to a name, assigned to a local, or dropped (owner-released locks); or a
 * `runExclusive` callback. Acquisitions handed straight to the caller (`return pool.connect()`) or
 * stored in a field are someone else's to release and give undefined.
 */
export function matchAcquisition(
  call: ts.CallExpression,
  families: readonly ResourceFamily[],
  env: ResourceEnv = {},
): Acquisition | undefined {
  const callee = unwrapExpression(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (!name || !acquireNames(families).has(name)) return undefined;
  const { program } = env;

  let family: ResourceFamily | undefined;
  let owner: ts.Expression | undefined;
  let capacity: number | undefined;
  let exclusive = false;
  const functionRef = resolveApi(callee);
  family = families.find((candidate) => matches(functionRef, candidate.functions));
  if (!family && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
    const candidates = families.filter((candidate) => candidate.acquireMethods.includes(name) || candidate.exclusiveMethods.includes(name));
    if (candidates.length > 0) {
      let match = ownerOf(callee.expression, candidates, program);
      if (!match) {
        const checker = env.getTypeChecker?.();
        if (checker) match = ownerFromType(callee.expression, candidates, checker);
      }
      if (match) {
        family = match.family;
        owner = callee.expression;
        capacity = match.capacity;
        exclusive = family.exclusiveMethods.includes(name);
      }
      if (!family) {
        family = candidates.find((candidate) => candidate.anyOwner);
        if (family) owner = callee.expression;
      }
    }
  }
  if (!family) return undefined;
  // `lock.acquire(key, async () => …)` (async-lock) runs the callback while held and releases by itself.
  if (!exclusive && call.arguments.some((argument) => isFunctionNode(unwrapExpression(argument)))) return undefined;
  const kind: ResourceKind = family.kind === "semaphore" && capacity === 1 ? "lock" : family.kind;
  const ownerText = owner ? dottedName(owner) : undefined;

  if (exclusive) {
    const callback = call.arguments[0] && localFunction(call.arguments[0]);
    if (!callback) return undefined;
    return { call, family, kind, style: "scoped", label: ownerText ?? name, acquiredAt: call, ownerText, capacity, callback };
  }

  const awaited = outerExpression(call).parent;
  if (!awaited || !ts.isAwaitExpression(awaited)) return undefined;
  const site = outerExpression(awaited);
  const context = site.parent;
  const base = { call, family, kind, acquiredAt: awaited, ownerText, capacity };
  const ownerLabel = ownerText ?? `${name}()`;
  if (!context) return undefined;
  if (ts.isVariableDeclaration(context) && context.initializer === site) {
    if (ts.isIdentifier(context.name)) {
      const releaser = family.releaserValue && !releasedThroughMethod(context, family);
      const style = isUsingDeclaration(context) ? "using" : releaser ? "releaser" : "handle";
      const label = releaser ? ownerLabel : context.name.text;
      return { ...base, style, label, binding: context };
    }
    if (ts.isArrayBindingPattern(context.name) && family.releaserValue) {
      const element = context.name.elements[1];
      if (element && ts.isBindingElement(element) && ts.isIdentifier(element.name)) {
        return { ...base, style: "releaser", label: ownerLabel, binding: element };
      }
      return ownerText ? { ...base, style: "owner", label: ownerLabel } : undefined;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(context) && context.operatorToken.kind === ts.SyntaxKind.EqualsToken && context.right === site) {
    const target = unwrapExpression(context.left);
    if (!ts.isIdentifier(target)) return undefined;
    const declaration = findDeclaration(target);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
    // Declared in an outer function and acquired in a callback: the hold outlives this analysis.
    if (enclosingScope(declaration) !== enclosingScope(call)) return undefined;
    const label = family.releaserValue ? ownerLabel : target.text;
    return { ...base, style: family.releaserValue ? "releaser" : "handle", label, binding: declaration };
  }
  if (ts.isExpressionStatement(context)) {
    if (family.releaserValue) return ownerText ? { ...base, style: "owner", label: ownerLabel } : undefined;
    // A checked-out client dropped on the floor: nothing can ever release it.
    return { ...base, style: "handle", label: ownerText ? `${ownerText}.${name}()` : `${name}()` };
  }
  return undefined;
}

export function enclosingScope(node: ts.Node): ts.Node {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current) || ts.isSourceFile(current)) return current;
  }
  return node.getSourceFile();
}
