import { ts } from "#compiler";
import { walk } from "./nodes.js";

interface FileIndex {
  /** Every identifier of the file by its text, each list in pre-order. */
  byName: Map<string, ts.Identifier[]>;
  exportSpecifiers: ts.ExportSpecifier[];
}

/*
 * Rules ask "where else is this name used?" once per node they inspect, for many names of a file
 * (every stored promise, every call of one helper, every use of one client). One walk of the file
 * indexes all its identifiers by name, on the first question, and the index is kept: the tree is
 * not edited while rules run, and a re-parsed file has new nodes.
 */
const indexes = new WeakMap<ts.SourceFile, FileIndex>();

const NONE = Object.freeze([]) as unknown as ts.Identifier[];

function indexOf(sourceFile: ts.SourceFile): FileIndex {
  let index = indexes.get(sourceFile);
  if (!index) {
    const byName = new Map<string, ts.Identifier[]>();
    const exportSpecifiers: ts.ExportSpecifier[] = [];
    walk(sourceFile, (node) => {
      if (ts.isIdentifier(node)) {
        const list = byName.get(node.text);
        if (list) list.push(node);
        else byName.set(node.text, [node]);
      } else if (ts.isExportSpecifier(node)) {
        exportSpecifiers.push(node);
      }
    });
    index = { byName, exportSpecifiers };
    indexes.set(sourceFile, index);
  }
  return index;
}

function isWithin(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === root) return true;
  return false;
}

/** The identifiers spelled `name` under `root` (root included), in pre-order, as a walk of `root` meets them. */
export function identifiersNamed(root: ts.Node, name: string): ts.Identifier[] {
  const all = indexOf(root.getSourceFile()).byName.get(name) ?? NONE;
  if (ts.isSourceFile(root)) return all;
  return all.filter((identifier) => identifier.pos >= root.pos && identifier.end <= root.end && isWithin(identifier, root));
}

/** Every identifier of a file by its text, each list in pre-order (the kept index; do not edit it). */
export function identifiersByName(sourceFile: ts.SourceFile): ReadonlyMap<string, readonly ts.Identifier[]> {
  return indexOf(sourceFile).byName;
}

/** Every `export { … }` specifier of a file, in source order. */
export function exportSpecifiersOf(sourceFile: ts.SourceFile): readonly ts.ExportSpecifier[] {
  return indexOf(sourceFile).exportSpecifiers;
}
