/**
 * Language server latency: `npm run bench:lsp`. Generates a 1,000-file TypeScript project with a
 * tsconfig.json (types on, the CLI's default there; each module imports the next, so the program
 * holds every file), starts the built `asyncpat lsp --stdio` as an editor would, opens one module and
 * prints the time to its first diagnostics (cold: the program is built) and the median time from an
 * edit to its diagnostics over EDITS edits (warm), with and without the server's debounce.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const FILES = Number(process.env.BENCH_FILES ?? 1000);
const EDITS = Number(process.env.BENCH_EDITS ?? 20);
/** The server's debounce (src/lsp/server.ts DEBOUNCE_MS); not imported, so the script times the built CLI alone. */
const DEBOUNCE_MS = 200;

function tsModule(index: number): string {
  const next = (index + 1) % FILES;
  return `import { load${next}, type Order${next} } from "./module-${next}.js";

export interface Order${index} {
  id: string;
  amount: number;
  parent?: Order${next};
}

export async function load${index}(id: string, signal: AbortSignal): Promise<Order${index}> {
  const response = await fetch(\`https://orders.internal/\${id}\`, { signal });
  if (!response.ok) throw new Error(\`order \${id}: \${response.status}\`);
  return (await response.json()) as Order${index};
}

export async function loadWithParent${index}(id: string, signal: AbortSignal): Promise<Order${index}> {
  const order = await load${index}(id, signal);
  const parent = await load${next}(\`\${id}-parent\`, signal);
  return { ...order, parent };
}

export function total${index}(orders: readonly Order${index}[]): number {
  return orders.reduce((sum, order) => sum + order.amount, 0);
}
`;
}

function generate(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-lsp-bench-"));
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench", type: "module", private: true }));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", strict: true, lib: ["ES2023", "DOM"], noEmit: true },
      include: ["src"],
    }),
  );
  for (let index = 0; index < FILES; index++) writeFileSync(path.join(dir, "src", `module-${index}.ts`), tsModule(index));
  return dir;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const dir = generate();
  const server = spawn(process.execPath, [bin, "lsp", "--stdio"], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const waiting = new Map<number, (params: PublishDiagnosticsParams) => void>();
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    if (params.version !== undefined) waiting.get(params.version)?.(params);
  });
  connection.listen();
  const diagnosticsFor = (version: number) => new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(version, resolve));

  try {
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "bench" }],
      capabilities: {},
    });
    await connection.sendNotification(InitializedNotification.type, {});

    const file = path.join(dir, "src", "module-0.ts");
    const uri = pathToFileURL(file).href;
    const original = tsModule(0);
    // A bare fetch: its finding needs the type checker, so the first answer includes building the program.
    const withProbe = (edit: number) => `${original}\nexport const probe = () => fetch("https://example.test/${edit}");\n`;
    let started = performance.now();
    const [first] = await Promise.all([
      diagnosticsFor(1),
      connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: "typescript", version: 1, text: withProbe(0) },
      }),
    ]);
    const coldMs = performance.now() - started;

    const editMs: number[] = [];
    const counts: number[] = [];
    for (let edit = 0; edit < EDITS; edit++) {
      const version = edit + 2;
      // Every other edit removes the bare fetch, the next puts it back: the answer changes each time.
      const text = edit % 2 === 0 ? original : withProbe(edit);
      started = performance.now();
      const [published] = await Promise.all([
        diagnosticsFor(version),
        connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] }),
      ]);
      counts.push(published.diagnostics.length);
      editMs.push(performance.now() - started);
    }

    const load = os.loadavg().map((value) => value.toFixed(1));
    console.log(
      `asyncpat lsp: ${FILES}-file TypeScript project with tsconfig.json (types on), ${os.cpus().length} CPUs, load average ${load.join(" ")}`,
    );
    console.log(
      `  first diagnostics after didOpen (cold: builds the program and the type checker): ${coldMs.toFixed(0)} ms (${first.diagnostics.length} diagnostics)`,
    );
    const typical = median(editMs);
    console.log(
      `  edit → diagnostics over ${EDITS} edits: median ${typical.toFixed(0)} ms, min ${Math.min(...editMs).toFixed(0)}, max ${Math.max(...editMs).toFixed(0)}; ` +
        `median minus the ${DEBOUNCE_MS} ms debounce: ${(typical - DEBOUNCE_MS).toFixed(0)} ms`,
    );
    console.log(`  per edit (ms): ${editMs.map((ms) => ms.toFixed(0)).join(" ")}`);
    if (!counts.every((count, index) => count === (index % 2 === 0 ? 0 : 1)) || first.diagnostics.length !== 1) {
      console.log(
        `  unexpected diagnostics counts: ${first.diagnostics.length} on open, ${counts.join(", ")} per edit (expected 1, then 0 and 1 alternating)`,
      );
      process.exitCode = 1;
    }
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
  } finally {
    connection.dispose();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
