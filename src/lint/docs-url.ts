import { version } from "../version.js";

/**
 * Where a rule's doc page can be read on the web: the `docs/rules/<id>.md` that ships in this
 * version's package, as the npm CDN serves it. For editors and ESLint's `meta.docs.url`.
 */
export function ruleDocsUrl(ruleId: string): string {
  return `https://unpkg.com/asyncpat@${version}/docs/rules/${ruleId}.md`;
}
