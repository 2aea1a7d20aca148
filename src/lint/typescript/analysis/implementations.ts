import { ts } from "#compiler";
import type { ProgramView } from "../rule.js";
import { unwrapExpression, walk } from "./nodes.js";

/**
 * Who implements an interface or an abstract class among the files of the run, for calls the checker
 * resolves to a member without a body (`queue: JobQueue` with `interface JobQueue { drain(): Promise<void> }`,
 * an abstract `flush()`): the classes that name it in `implements`/`extends` (and, for an abstract
 * class, their subclasses that are abstract too, a few levels down), and the object literals
 * declared or asserted as it (`const q: JobQueue = {…}`, `{…} satisfies JobQueue`). Found with the
 * checker, by symbol, in the files that mention the type's name; cached per type for the run.
 */
export interface Implementers {
  classes: readonly ts.ClassLikeDeclaration[];
  objects: readonly ts.ObjectLiteralExpression[];
}

/** At most this many implementers are followed; past it the question is left open. */
const MAX_IMPLEMENTERS = 24;

/** The interface or abstract class a member without a body belongs to, if the call resolved to one. */
export function abstractOwner(declaration: ts.Node): ts.InterfaceDeclaration | ts.ClassLikeDeclaration | undefined {
  // `drain: () => Promise<void>` resolves to the function type inside the property signature
  const member =
    ts.isFunctionTypeNode(declaration) && declaration.parent && ts.isPropertySignature(declaration.parent)
      ? declaration.parent
      : declaration;
  const owner = member.parent;
  if (!owner) return undefined;
  if ((ts.isMethodSignature(member) || ts.isPropertySignature(member)) && ts.isInterfaceDeclaration(owner)) return owner;
  if (
    (ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member)) &&
    (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) &&
    (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Abstract) !== 0
  )
    return owner;
  return undefined;
}

/**
 * The implementers of `owner` in the run; undefined when there are too many to follow or the
 * checker fails on one.
 */
export function implementersOf(
  owner: ts.InterfaceDeclaration | ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  program: ProgramView,
): Implementers | undefined {
  const cache = program.memo("implementers", () => new WeakMap<ts.Node, Implementers | null>());
  const known = cache.get(owner);
  if (known !== undefined) return known ?? undefined;
  cache.set(owner, null);
  const found = findImplementers(owner, checker, program);
  cache.set(owner, found ?? null);
  return found;
}

function findImplementers(
  owner: ts.InterfaceDeclaration | ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  program: ProgramView,
): Implementers | undefined {
  const name = owner.name?.text;
  if (!name) return undefined;
  const target = symbolOf(checker, owner.name!);
  if (!target) return undefined;
  const classes: ts.ClassLikeDeclaration[] = [];
  const objects: ts.ObjectLiteralExpression[] = [];
  const names = (type: ts.Node) => {
    const node = ts.isExpressionWithTypeArguments(type) ? type.expression : ts.isTypeReferenceNode(type) ? type.typeName : undefined;
    if (!node) return false;
    const last = ts.isPropertyAccessExpression(node) ? node.name : ts.isQualifiedName(node) ? node.right : node;
    return ts.isIdentifier(last) && last.text === name && symbolOf(checker, last) === target;
  };
  let overflow = false;
  for (const file of program.filesContaining(name)) {
    walk(file.sourceFile, (node) => {
      if (overflow) return false;
      if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node !== owner) {
        if (node.heritageClauses?.some((clause) => clause.types.some(names))) classes.push(node);
      } else if (ts.isVariableDeclaration(node) && node.type && node.initializer && names(node.type)) {
        const value = unwrapExpression(node.initializer);
        if (ts.isObjectLiteralExpression(value)) objects.push(value);
      } else if (ts.isSatisfiesExpression(node) && names(node.type)) {
        const value = unwrapExpression(node.expression);
        if (ts.isObjectLiteralExpression(value)) objects.push(value);
      }
      overflow = classes.length + objects.length > MAX_IMPLEMENTERS;
      return !overflow;
    });
    if (overflow) return undefined;
  }
  return { classes, objects };
}

function symbolOf(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  try {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  } catch {
    return undefined;
  }
}
