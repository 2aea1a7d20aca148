/**
 * `asyncpat lsp --stdio`: the language server. It lints each open buffer on open and, debounced, on
 * change; keeps one warm TypeScript program per tsconfig between edits; answers code actions from
 * the diagnostics it published last; and re-reads configs and tsconfigs when the client reports
 * that they changed. Shutdown, exit and a client that goes away (its stdin closing, or its process
 * id gone) are handled by vscode-languageserver itself.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Rule } from "../lint/rule.js";
import { resetTypeScriptSession } from "../lint/typescript/backend.js";
import { createLintSession } from "../lint/types.js";
import { version } from "../version.js";
import { codeActionsFor } from "./code-actions.js";
import { lintDocument, lintablePath, type LintDocumentSettings } from "./lint-document.js";
import { classifyChanges, watchedGlobs } from "./watched-files.js";

/** How long an edit waits for the next keystroke before the buffer is linted. */
export const DEBOUNCE_MS = 200;

/** What the client may pass as `initializationOptions`. */
interface InitializationOptions {
  /** Use the type checker (true), never (false); default: when a tsconfig.json is found. */
  types?: boolean;
}

export function startLanguageServer(rules: readonly Rule[]): void {
  // With `--stdio` on the command line the library talks over stdin/stdout and sends console output to the client's log.
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const settings: LintDocumentSettings = {
    rules,
    session: createLintSession(),
    configs: new Map(),
    workspaceFolders: [],
    log: (message) => connection.console.error(message),
  };
  /** The diagnostics published for each open buffer, and the version they are for. */
  const published = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  const timers = new Map<string, NodeJS.Timeout>();
  // One lint at a time: the warm program is shared, and a newer edit's lint must not finish first.
  let queue: Promise<void> = Promise.resolve();
  let canWatchFiles = false;

  const lintOpenDocument = async (uri: string): Promise<void> => {
    const document = documents.get(uri);
    if (!document) return;
    const version = document.version;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = await lintDocument(uri, document.getText(), settings);
    } catch (error) {
      connection.console.error(
        `asyncpat: internal error while linting ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return;
    }
    // Closed meanwhile (its diagnostics are already cleared), or edited (that edit's lint is scheduled).
    if (documents.get(uri)?.version !== version) return;
    published.set(uri, { version, diagnostics });
    await connection.sendDiagnostics({ uri, version, diagnostics });
  };

  const restoreSavedText = async (uri: string, unsaved: string): Promise<void> => {
    const filePath = lintablePath(uri);
    if (!filePath || documents.get(uri)) return;
    const saved = await readFile(filePath, "utf8").catch(() => undefined);
    if (saved === undefined || saved === unsaved) return;
    await lintDocument(uri, saved, settings).catch((error: unknown) => connection.console.error(`asyncpat: ${String(error)}`));
  };

  const schedule = (uri: string, delay: number): void => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        queue = queue.then(() => lintOpenDocument(uri));
      }, delay),
    );
  };

  const relintAll = (): void => {
    for (const document of documents.all()) schedule(document.uri, 0);
  };

  connection.onInitialize((params): InitializeResult => {
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    settings.workspaceFolders = folders.filter((uri) => uri.startsWith("file:")).map((uri) => fileURLToPath(uri));
    const initializationOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof initializationOptions.types === "boolean") settings.types = initializationOptions.types;
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "asyncpat", version },
    };
  });

  connection.onInitialized(() => {
    if (!canWatchFiles) return;
    const registered = connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: watchedGlobs().map((globPattern) => ({ globPattern })),
    });
    registered.catch((error: unknown) =>
      connection.console.error(
        `asyncpat: cannot watch config and tsconfig files (${String(error)}); restart the server after changing them.`,
      ),
    );
  });

  // TextDocuments reports an open as an open and a content change: lint the open at once, edits after a pause.
  const openedAt = new Map<string, number>();
  documents.onDidOpen((event) => {
    openedAt.set(event.document.uri, event.document.version);
    schedule(event.document.uri, 0);
  });
  documents.onDidChangeContent((event) => {
    if (openedAt.get(event.document.uri) !== event.document.version) schedule(event.document.uri, DEBOUNCE_MS);
  });
  documents.onDidClose((event) => {
    const uri = event.document.uri;
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    openedAt.delete(uri);
    published.delete(uri);
    connection.sendDiagnostics({ uri, diagnostics: [] }).catch((error: unknown) => connection.console.error(`asyncpat: ${String(error)}`));
    // Closed without saving: the warm program still holds the discarded text, which other files' types would see.
    const unsaved = event.document.getText();
    queue = queue.then(() => restoreSavedText(uri, unsaved));
  });

  connection.onDidChangeWatchedFiles((params) => {
    const changed = classifyChanges(
      params.changes.map((change) => change.uri),
      (uri) => documents.get(uri) !== undefined,
    );
    if (changed.config) settings.configs.clear();
    if (changed.program) resetTypeScriptSession(settings.session);
    if (changed.config || changed.program) relintAll();
  });

  connection.onCodeAction((params) => {
    const document = documents.get(params.textDocument.uri);
    const entry = published.get(params.textDocument.uri);
    // Before the current version is linted the edits would land in the wrong place: offer nothing.
    if (!document || !entry || entry.version !== document.version) return [];
    return codeActionsFor(document, entry.diagnostics, params.range, params.context.only);
  });

  connection.onShutdown(async () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    await queue;
  });

  documents.listen(connection);
  connection.listen();
}
