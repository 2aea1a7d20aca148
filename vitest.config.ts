import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // package.json "imports" maps #compiler to the build; tests run the source
  resolve: { alias: { "#compiler": fileURLToPath(new URL("./src/lint/typescript/compiler.ts", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
