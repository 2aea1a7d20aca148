import { ts } from "ts-morph";
import { walk } from "./nodes.js";

interface FileIndex {
  byName: Map<string, ts.Identifier[]>;
  exportSpecifiers: ts.ExportSpecifier[];
}

/*
 * Rules ask "where else is this name used?" once per node they inspect; a walk of the file per
 * question made their cost grow with the file's size times its calls. One walk per file builds
 * the answer for every name.
 */
const indexes = new WeakMap<ts.SourceFile, FileIndex>();

function indexOf(sourceFile: ts.SourceFile): FileIndex {
  let index = indexes.get(sourceFile);
  if (index) return index;
  index = { byName: new Map(), exportSpecifiers: [] };
  const { byName, exportSpecifiers } = index;
  walk(sourceFile, (node) => {
    if (ts.isIdentifier(node)) {
      const list = byName.get(node.text);
      if (list) list.push(node);
      else byName.set(node.text, [node]);
    } else if (ts.isExportSpecifier(node)) {
      exportSpecifiers.push(node);
    }
  });
  indexes.set(sourceFile, index);
  return index;
}

function isWithin(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === root) return true;
  return false;
}

/** The identifiers spelled `name` under `root` (root included), in pre-order, as a walk of `root` meets them. */
export function identifiersNamed(root: ts.Node, name: string): ts.Identifier[] {
  const all = indexOf(root.getSourceFile()).byName.get(name) ?? [];
  if (ts.isSourceFile(root)) return all;
  return all.filter((identifier) => identifier.pos >= root.pos && identifier.end <= root.end && isWithin(identifier, root));
}

/** Every `export { … }` specifier of a file, in source order. */
export function exportSpecifiersOf(sourceFile: ts.SourceFile): readonly ts.ExportSpecifier[] {
  return indexOf(sourceFile).exportSpecifiers;
}
