/**
 * What a file is for, judged from its path: test code is bounded by its runner and starts servers,
 * spins and fans out on purpose, so several rules leave it alone. One definition for every rule and
 * both languages.
 */

/** `*.test.ts`, `*_spec.js`, and files under `__tests__/`, `__mocks__/`, `test/`, `tests/`, `e2e/` or `benches/` (Rust's integration tests and benchmarks). */
const TEST_FILE = /[._](test|spec)\.[cm]?[jt]sx?$|(^|\/)(__tests__|__mocks__|test|tests|e2e|benches)\//;

/** Tool configs (`vite.config.ts`, `jest.config.js`): run once by a build tool, never on a serving path. */
const TOOL_CONFIG_FILE = /\.config\.[cm]?[jt]s$/;

function normalize(filePath: string): string {
  return filePath.replace(/\\/g, "/");
}

export function isTestFile(filePath: string): boolean {
  return TEST_FILE.test(normalize(filePath));
}

export function isToolConfigFile(filePath: string): boolean {
  return TOOL_CONFIG_FILE.test(normalize(filePath));
}
