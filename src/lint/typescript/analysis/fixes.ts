/**
 * Building fixes as text edits (the program is never edited: any ts-morph edit resets it). Each
 * helper returns undefined where it cannot be sure the edit keeps the code compiling.
 */
import { ts } from "#compiler";
import type { Fix } from "../../types.js";
import { declaredName } from "./nodes.js";

/** The line ending of a file, for edits that add lines: CRLF when its first line break is one. */
export function lineEnding(sourceFile: ts.SourceFile): "\r\n" | "\n" {
  const index = sourceFile.text.indexOf("\n");
  return index > 0 && sourceFile.text[index - 1] === "\r" ? "\r\n" : "\n";
}

/** The whitespace a line starts with. */
export function indentationAt(sourceFile: ts.SourceFile, position: number): string {
  const lineStart = sourceFile.text.lastIndexOf("\n", position - 1) + 1;
  return /^[ \t]*/.exec(sourceFile.text.slice(lineStart))![0];
}

/**
 * Adds `name: value` to the options argument at `index` of `call`: merged into an object literal
 * there, or a new `{ name: value }` argument when the call's arguments end just before `index`.
 * Undefined when the argument is anything else (a variable, a call, a spread) or already names the
 * option, or the literal has a spread or a computed key that could set it.
 */
export function addOptionFix(call: ts.CallExpression, index: number, name: string, value: string): Fix | undefined {
  const sourceFile = call.getSourceFile();
  const args = call.arguments;
  const property = `${name}: ${value}`;
  if (args.some((argument) => ts.isSpreadElement(argument))) return undefined;
  if (args.length === index) {
    if (index === 0) return { range: [args.pos, args.end], text: `{ ${property} }` };
    const last = args[index - 1]!;
    return { range: [last.getEnd(), last.getEnd()], text: `, { ${property} }` };
  }
  const argument = args[index];
  if (!argument || !ts.isObjectLiteralExpression(argument)) return undefined;
  const properties = argument.properties;
  for (const element of properties) {
    if (ts.isSpreadAssignment(element)) return undefined;
    const key = declaredName(element.name);
    if (key === undefined || key === name) return undefined;
  }
  if (properties.length === 0) return { range: [argument.getStart(sourceFile), argument.getEnd()], text: `{ ${property} }` };
  const first = properties[0]!.getStart(sourceFile);
  return { range: [first, first], text: `${property}, ` };
}

/**
 * A name not used anywhere in the file nor in `reserved` (names other fixes of this pass introduce;
 * the name chosen is added): `base`, else `base2`, `base3`, …
 */
export function freshName(sourceFile: ts.SourceFile, base: string, reserved: Set<string>): string {
  const taken = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) taken.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  for (const name of reserved) taken.add(name);
  let name = base;
  for (let index = 2; taken.has(name); index++) name = `${base}${index}`;
  reserved.add(name);
  return name;
}

/** True when the node holds a template literal spanning lines, whose text re-indenting would change. */
function hasMultilineTemplate(node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found) return;
    if (
      (ts.isNoSubstitutionTemplateLiteral(child) || ts.isTemplateExpression(child) || ts.isStringLiteral(child)) &&
      child.getText().includes("\n")
    ) {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/**
 * `statements` (consecutive, of one block) as text indented by `indent`, lines joined with
 * `newline`; comments between them come along. Their own indentation is replaced, unless a
 * multi-line template or string would change, then kept as it is.
 */
export function reindentStatements(statements: readonly ts.Statement[], indent: string, newline: string): string {
  if (statements.length === 0) return "";
  const sourceFile = statements[0]!.getSourceFile();
  // From the end of the line before the first statement: comments above it come along.
  const text = sourceFile.text.slice(statements[0]!.getFullStart(), statements[statements.length - 1]!.getEnd());
  const lines = text.split(/\r?\n/);
  while (lines.length > 1 && lines[0]!.trim() === "") lines.shift();
  if (statements.some(hasMultilineTemplate)) return lines.join(newline);
  const base = Math.min(...lines.filter((line) => line.trim() !== "").map((line) => /^[ \t]*/.exec(line)![0].length));
  return lines.map((line) => (line.trim() === "" ? "" : indent + line.slice(base))).join(newline);
}

/** The file's indentation unit: the smallest indentation of an indented line, two spaces by default. */
export function indentUnit(sourceFile: ts.SourceFile): string {
  const match = /\n([ \t]+)\S/.exec(sourceFile.text);
  if (!match) return "  ";
  return match[1]!.startsWith("\t") ? "\t" : " ".repeat(Math.min(match[1]!.length, 4));
}
