/**
 * Writes the type declarations of the package's public module entry points (`asyncpat/eslint`)
 * beside their built JavaScript. Only those files get declarations: the rest of dist/ is the CLI's
 * internals, which nobody imports. Each entry's public types must stand alone (they may import
 * other packages' types, never the package's own internals); this fails naming the entry otherwise.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PUBLIC_ENTRIES = ["src/integrations/eslint.ts"];

function main(): void {
  const configPath = path.join(root, "tsconfig.build.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const options: ts.CompilerOptions = {
    ...config.options,
    declaration: true,
    emitDeclarationOnly: true,
    sourceMap: false,
    declarationMap: false,
  };
  const program = ts.createProgram(
    PUBLIC_ENTRIES.map((entry) => path.join(root, entry)),
    options,
  );
  for (const entry of PUBLIC_ENTRIES) {
    const sourceFile = program.getSourceFile(path.join(root, entry))!;
    const written: string[] = [];
    const result = program.emit(
      sourceFile,
      (fileName, text) => {
        const internal = [...text.matchAll(/from ["'](\.[^"']*)["']/g)].map((match) => match[1]);
        if (internal.length > 0)
          throw new Error(
            `${entry}: its declarations import the package's internals (${internal.join(", ")}); declare the public types in the entry itself.`,
          );
        ts.sys.writeFile(fileName, text);
        written.push(path.relative(root, fileName));
      },
      undefined,
      true,
    );
    if (result.emitSkipped || written.length === 0) throw new Error(`${entry}: no declarations were written.`);
  }
}

main();
