/**
 * A Language Server Protocol client for tests: it starts the built CLI (`asyncpat lsp --stdio`) as a
 * child process and talks to it over its stdin and stdout with vscode-languageserver-protocol, the
 * library VS Code's own client is built on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import {
  CodeActionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Command,
  type FileEvent,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
} from "vscode-languageserver-protocol/node.js";
import { binPath, cleanEnv } from "./cli.js";

export const fileUri = (filePath: string): string => pathToFileURL(filePath).href;

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcess;
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly received: PublishDiagnosticsParams[] = [];
  private readonly waiters: {
    match: (params: PublishDiagnosticsParams) => boolean;
    resolve: (params: PublishDiagnosticsParams) => void;
  }[] = [];
  private versions = new Map<string, number>();

  constructor(cwd: string) {
    this.process = spawn(process.execPath, [binPath, "lsp", "--stdio"], { cwd, env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.received.push(params);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(params)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(params);
      }
    });
    this.connection.listen();
  }

  async initialize(rootPath: string, initializationOptions?: object): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: fileUri(rootPath),
      workspaceFolders: [{ uri: fileUri(rootPath), name: "test" }],
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: false } } },
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** The next diagnostics published for `uri` (after any already received), optionally for a given document version. */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => {
      this.waiters.push({ match: (params) => params.uri === uri && (version === undefined || params.version === version), resolve });
    });
  }

  async open(filePath: string, text: string, languageId = "typescript"): Promise<PublishDiagnosticsParams> {
    const uri = fileUri(filePath);
    this.versions.set(uri, 1);
    const [published] = await Promise.all([
      this.nextDiagnostics(uri, 1),
      this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } }),
    ]);
    return published;
  }

  /** Replaces the whole text; resolves with the diagnostics published for the new version. */
  async change(filePath: string, text: string): Promise<PublishDiagnosticsParams> {
    const uri = fileUri(filePath);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const [published] = await Promise.all([
      this.nextDiagnostics(uri, version),
      this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      }),
    ]);
    return published;
  }

  /** Resolves with the diagnostics published after the close (none, for a closed buffer). */
  async close(filePath: string): Promise<PublishDiagnosticsParams> {
    const uri = fileUri(filePath);
    const [published] = await Promise.all([
      this.nextDiagnostics(uri),
      this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }),
    ]);
    return published;
  }

  /** Reports files changed on disk; resolves with the next diagnostics published for `uri` (an open buffer re-linted). */
  async filesChanged(changes: FileEvent[], uri: string): Promise<PublishDiagnosticsParams> {
    const [published] = await Promise.all([
      this.nextDiagnostics(uri),
      this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes }),
    ]);
    return published;
  }

  async codeActions(filePath: string, range: Range, params: PublishDiagnosticsParams): Promise<(CodeAction | Command)[]> {
    const result = await this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: fileUri(filePath) },
      range,
      context: { diagnostics: params.diagnostics },
    });
    return result ?? [];
  }

  /** shutdown, then exit; resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    return this.exited;
  }

  dispose(): void {
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}
