import { ts } from "#compiler";
import { isApi, resolveApi } from "./imports.js";
import { isFunctionNode, isStringLike, memberName, unwrapExpression, outerExpression } from "./nodes.js";
import { findDeclaration, getInitializer } from "./scope.js";

/** Where a function value is passed as an argument: the call and the argument's index. */
export interface CallbackSite {
  call: ts.CallExpression | ts.NewExpression;
  index: number;
}

/** For a function (or a reference to one) that is an argument of a call, the call and position. */
export function callbackSite(node: ts.Node): CallbackSite | undefined {
  const current = outerExpression(node);
  const parent = current.parent;
  if (!parent || !(ts.isCallExpression(parent) || ts.isNewExpression(parent)) || !parent.arguments) return undefined;
  const index = parent.arguments.indexOf(current as ts.Expression);
  return index < 0 ? undefined : { call: parent, index };
}

const LISTENER_METHODS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener", "addEventListener"]);

/**
 * `emitter.on("event", listener)` and its siblings (`once`, `addListener`, `prependListener`,
 * `addEventListener`) with the listener at `index`: the event name (when literal) and the receiver.
 */
export function listenerRegistration(site: CallbackSite): { event: string | undefined; receiver: ts.Expression } | undefined {
  const { call, index } = site;
  if (!ts.isCallExpression(call) || index !== 1) return undefined;
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !LISTENER_METHODS.has(callee.name.text)) return undefined;
  const eventArgument = call.arguments[0];
  if (!eventArgument) return undefined;
  return { event: isStringLike(eventArgument) ? eventArgument.text : undefined, receiver: callee.expression };
}

const SERVER_MODULES = ["http", "https", "http2", "net", "tls"];

/** `http.createServer(handler)` (and https/http2/net/tls, `createSecureServer`): the factory name. */
export function serverFactoryOf(site: CallbackSite): string | undefined {
  const { call } = site;
  if (!ts.isCallExpression(call)) return undefined;
  const callee = unwrapExpression(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (name !== "createServer" && name !== "createSecureServer") return undefined;
  const ref = resolveApi(call.expression);
  for (const module of SERVER_MODULES) {
    if (isApi(ref, module, "createServer") || isApi(ref, module, "createSecureServer"))
      return `${module}.${ref!.path[ref!.path.length - 1]}`;
  }
  return undefined;
}

const ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all", "head", "options", "use"]);
const WEB_FRAMEWORKS = ["express", "fastify", "koa", "@koa/router", "koa-router", "hono", "restify"];

function isFrameworkApp(receiver: ts.Expression): boolean {
  const init = getInitializer(receiver);
  if (!init) return false;
  const factory = ts.isCallExpression(init) || ts.isNewExpression(init) ? init.expression : undefined;
  if (!factory) return false;
  const ref = resolveApi(factory);
  return !!ref && WEB_FRAMEWORKS.includes(ref.module);
}

/**
 * A route handler registration: `app.get("/path", handler)` (a path literal starting with `/`), or any
 * handler of `get/post/…/use` on an app or router created by express, fastify, koa, hono or restify.
 * Returns `METHOD path` for messages.
 */
export function routeRegistrationOf(site: CallbackSite): string | undefined {
  const { call, index } = site;
  if (!ts.isCallExpression(call)) return undefined;
  const callee = unwrapExpression(call.expression);
  const method = memberName(callee);
  if (!method || !ROUTE_METHODS.has(method) || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)))
    return undefined;
  const first = call.arguments[0];
  const path = first && isStringLike(first) ? first.text : undefined;
  if (path !== undefined && index === 0) return undefined;
  if ((path?.startsWith("/") && method !== "use") || isFrameworkApp(callee.expression)) {
    return path === undefined ? `${method}` : `${method.toUpperCase()} ${path}`;
  }
  return undefined;
}

/**
 * The function a value names: an inline function, a local function or `const` arrow by name, a
 * method of the enclosing class as `this.m`, and either of those through `.bind(…)`.
 */
export function functionValueOf(expression: ts.Expression | undefined): ts.FunctionLikeDeclaration | undefined {
  if (!expression) return undefined;
  let node = unwrapExpression(expression);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "bind") {
    node = unwrapExpression(node.expression.expression);
  }
  if (isFunctionNode(node)) return node;
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (!declaration) return undefined;
    if (isFunctionNode(declaration)) return declaration;
    if (ts.isVariableDeclaration(declaration) && declaration.initializer && (declaration.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = unwrapExpression(declaration.initializer);
      return isFunctionNode(init) ? init : undefined;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    let klass: ts.Node | undefined = node.parent;
    while (klass && !ts.isClassLike(klass)) klass = klass.parent;
    if (!klass || !ts.isClassLike(klass)) return undefined;
    for (const member of klass.members) {
      if (!member.name || !(ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name)) || member.name.text !== node.name.text)
        continue;
      if (ts.isMethodDeclaration(member) && member.body) return member;
      if (ts.isPropertyDeclaration(member) && member.initializer) {
        const init = unwrapExpression(member.initializer);
        if (isFunctionNode(init)) return init;
      }
    }
  }
  return undefined;
}
