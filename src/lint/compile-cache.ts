/**
 * V8 code cache for the compiler's CommonJS bundles (TypeScript and ts-morph, 13 MB of JavaScript):
 * every lint thread compiles them again on start-up, and Node 20 has no compile cache of its own
 * (`module.enableCompileCache` came in Node 22). The cached bytecode sits in the system's temporary
 * folder, one file per module version; V8 rejects data made by another V8 or with other flags, and
 * the key holds the file's path, size and modification time, so an upgraded package is compiled
 * afresh. Any failure leaves Node's own loading in charge. A leaf module (it must not load TypeScript).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/** The bundles worth caching: large, loaded by every lint thread that lints TypeScript. */
const CACHED = /[\\/]node_modules[\\/](?:typescript|ts-morph|@ts-morph[\\/]common)[\\/].*\.js$/;

interface CompilingModule {
  exports: unknown;
  filename: string;
  require(id: string): unknown;
  paths: string[];
}

type Compile = (this: CompilingModule, content: string, filename: string) => unknown;

/** Scripts compiled without usable cached data: their cache is written by `saveCompileCache`. */
const pending: { script: vm.Script; file: string }[] = [];
let enabled = false;

/**
 * One folder per user, Node version and architecture; `ASYNCPAT_COMPILE_CACHE` names another folder,
 * or turns the cache off with `off`.
 */
export function compileCacheDir(env = process.env): string | undefined {
  const setting = env.ASYNCPAT_COMPILE_CACHE;
  if (setting === "off") return undefined;
  if (setting) return path.resolve(setting);
  const user = typeof process.getuid === "function" ? `-${process.getuid()}` : "";
  return path.join(os.tmpdir(), `asyncpat-compile-cache${user}-${process.version}-${process.arch}`);
}

/**
 * Bytecode from the cache runs in this process, so only a folder that this user owns and nobody
 * else may write to is read or written (the temporary folder is shared by every user).
 */
function trusted(dir: string): boolean {
  try {
    const stat = statSync(dir);
    if (!stat.isDirectory() || (stat.mode & 0o022) !== 0) return false;
    return typeof process.getuid !== "function" || stat.uid === process.getuid();
  } catch {
    return false;
  }
}

let directory: string | undefined;
let directoryTrusted = false;

function cacheDir(): string {
  return directory!;
}

function cacheFile(filename: string): string {
  const { size, mtimeMs } = statSync(filename);
  return path.join(cacheDir(), createHash("sha1").update(`${filename}\u0000${size}\u0000${mtimeMs}`).digest("hex"));
}

/** From now on, this thread loads the compiler's bundles with V8's cached bytecode where there is some. */
export function enableCompileCache(): void {
  if (enabled) return;
  directory = compileCacheDir();
  if (directory === undefined) return;
  enabled = true;
  directoryTrusted = trusted(directory);
  const prototype = Module.prototype as unknown as { _compile: Compile };
  const original = prototype._compile;
  prototype._compile = function (content, filename) {
    if (!CACHED.test(filename)) return original.call(this, content, filename);
    let file: string;
    let cachedData: Buffer | undefined;
    try {
      file = cacheFile(filename);
    } catch {
      return original.call(this, content, filename);
    }
    try {
      if (directoryTrusted) cachedData = readFileSync(file);
    } catch {
      // not cached yet
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
}

/**
 * Writes the bytecode of the bundles compiled without a cache. Called once the run's work is done,
 * so the functions compiled while linting are in it too; a file is written whole or not at all.
 */
export function saveCompileCache(): void {
  const scripts = pending.splice(0);
  if (scripts.length === 0) return;
  try {
    mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
    if (!trusted(cacheDir())) return;
    for (const { script, file } of scripts) {
      const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, file);
    }
  } catch {
    // a cache that cannot be written only means the next run compiles again
  }
}
