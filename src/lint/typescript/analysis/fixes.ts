/**
 * Building fixes as text edits (the program is never edited: any ts-morph edit resets it). Each
 * helper returns undefined where it cannot be sure the edit keeps the code compiling.
 */
import { ts } from "ts-morph";
import type { Fix } from "../../types.js";

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

function propertyName(element: ts.ObjectLiteralElementLike): string | undefined {
  if (!element.name) return undefined;
  if (ts.isIdentifier(element.name) || ts.isStringLiteral(element.name) || ts.isNumericLiteral(element.name)) return element.name.text;
  return undefined;
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
    const key = propertyName(element);
    if (key === undefined || key === name) return undefined;
  }
  if (properties.length === 0) return { range: [argument.getStart(sourceFile), argument.getEnd()], text: `{ ${property} }` };
  const first = properties[0]!.getStart(sourceFile);
  return { range: [first, first], text: `${property}, ` };
}
