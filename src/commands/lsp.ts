import type { Command } from "commander";
import { UsageError } from "../errors.js";

export function registerLspCommand(program: Command): void {
  program
    .command("lsp")
    .description("run the language server for editors (diagnostics, quick fixes) over standard input and output")
    .option("--stdio", "talk the Language Server Protocol over standard input and output (the only transport)")
    .addHelpText("after", '\nEditors start this themselves; see the README\'s "Editors" section for VS Code, Neovim and Helix.\n')
    .action(async (options: { stdio?: boolean }) => {
      if (!options.stdio)
        throw new UsageError("lsp: pass --stdio (the server talks over standard input and output only), e.g. `asyncpat lsp --stdio`.");
      const [{ startLanguageServer }, { lintRules }] = await Promise.all([import("../lsp/server.js"), import("./rule-catalog.js")]);
      // Runs until the client sends exit or goes away; vscode-languageserver ends the process then.
      // The rules' implementations load with the first document of their language.
      startLanguageServer(lintRules());
    });
}
