interface Node {
  children: Map<string, Node>;
  note?: string;
  isFile: boolean;
}

/**
 * Draws paths as a tree, folders first:
 *
 *     my-service/
 *     ├── src/
 *     │   └── main.ts
 *     └── package.json  (exists, skipped)
 */
export function formatTree(rootLabel: string, files: { path: string; note?: string }[]): string {
  const root: Node = { children: new Map(), isFile: false };
  for (const file of files) {
    let node = root;
    const parts = file.path.split("/");
    parts.forEach((part, index) => {
      const isFile = index === parts.length - 1;
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map(), isFile };
        node.children.set(part, child);
      }
      if (isFile) child.note = file.note;
      node = child;
    });
  }
  const lines = [`${rootLabel.replace(/\/+$/, "")}/`];
  const walk = (node: Node, prefix: string): void => {
    const entries = [...node.children.entries()].sort(([a, x], [b, y]) => (x.isFile === y.isFile ? a.localeCompare(b) : x.isFile ? 1 : -1));
    entries.forEach(([name, child], index) => {
      const last = index === entries.length - 1;
      const label = child.isFile ? name : `${name}/`;
      lines.push(`${prefix}${last ? "└── " : "├── "}${label}${child.note ? `  (${child.note})` : ""}`);
      if (!child.isFile) walk(child, `${prefix}${last ? "    " : "│   "}`);
    });
  };
  walk(root, "");
  return lines.join("\n");
}
