import { formatCompact } from "./compact.js";
import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatStylish } from "./stylish.js";
import type { Formatter } from "./types.js";

export const formatters: Record<"stylish" | "compact" | "json" | "sarif" | "github", Formatter> = {
  stylish: formatStylish,
  compact: formatCompact,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
};
export type { Formatter, FormatterContext } from "./types.js";
