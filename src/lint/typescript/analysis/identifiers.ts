import { ts } from "#compiler";
import { walk } from "./nodes.js";

interface FileIndex {
  /** The identifiers spelled each name asked about so far, in pre-order. */
  byName: Map<string, ts.Identifier[]>;
  exportSpecifiers?: ts.ExportSpecifier[];
}

/*
 * Rules ask "where else is this name used?" once per node they inspect, and often for the same
 * name again (every call of one helper, every use of one client). The answer for a name is found
 * by one walk of the file and kept; the tree is not edited while rules run.
 */
const indexes = new WeakMap<ts.SourceFile, FileIndex>();

function indexOf(sourceFile: ts.SourceFile): FileIndex {
  let index = indexes.get(sourceFile);
  if (!index) {
    index = { byName: new Map() };
    indexes.set(sourceFile, index);
  }
  return index;
}

function scan(sourceFile: ts.SourceFile, name: string | undefined): void {
  const index = indexOf(sourceFile);
  const found: ts.Identifier[] = [];
  const specifiers: ts.ExportSpecifier[] | undefined = index.exportSpecifiers ? undefined : [];
  walk(sourceFile, (node) => {
    if (ts.isIdentifier(node)) {
      if (node.text === name) found.push(node);
    } else if (specifiers && ts.isExportSpecifier(node)) {
      specifiers.push(node);
    }
  });
  if (name !== undefined) index.byName.set(name, found);
  if (specifiers) index.exportSpecifiers = specifiers;
}

function isWithin(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === root) return true;
  return false;
}

/** The identifiers spelled `name` under `root` (root included), in pre-order, as a walk of `root` meets them. */
export function identifiersNamed(root: ts.Node, name: string): ts.Identifier[] {
  const sourceFile = root.getSourceFile();
  const index = indexOf(sourceFile);
  if (!index.byName.has(name)) scan(sourceFile, name);
  const all = index.byName.get(name)!;
  if (ts.isSourceFile(root)) return all;
  return all.filter((identifier) => identifier.pos >= root.pos && identifier.end <= root.end && isWithin(identifier, root));
}

/** Every `export { … }` specifier of a file, in source order. */
export function exportSpecifiersOf(sourceFile: ts.SourceFile): readonly ts.ExportSpecifier[] {
  const index = indexOf(sourceFile);
  if (!index.exportSpecifiers) scan(sourceFile, undefined);
  return index.exportSpecifiers!;
}
