import { ts } from "ts-morph";
import { isApi, resolveApi } from "./imports.js";
import { isStringLike, memberName, unwrapExpression } from "./nodes.js";
import { getInitializer } from "./scope.js";

/** Where a function value is passed as an argument: the call and the argument's index. */
export interface CallbackSite {
  call: ts.CallExpression | ts.NewExpression;
  index: number;
}

/** For a function (or a reference to one) that is an argument of a call, the call and position. */
export function callbackSite(node: ts.Node): CallbackSite | undefined {
  let current: ts.Node = node;
  while (current.parent && (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent))) current = current.parent;
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
  const ref = resolveApi(call.expression);
  for (const module of SERVER_MODULES) {
    if (isApi(ref, module, "createServer") || isApi(ref, module, "createSecureServer")) return `${module}.${ref!.path[ref!.path.length - 1]}`;
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
  if (!method || !ROUTE_METHODS.has(method) || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return undefined;
  const first = call.arguments[0];
  const path = first && isStringLike(first) ? first.text : undefined;
  if (path !== undefined && index === 0) return undefined;
  if ((path?.startsWith("/") && method !== "use") || isFrameworkApp(callee.expression)) {
    return path === undefined ? `${method}` : `${method.toUpperCase()} ${path}`;
  }
  return undefined;
}
