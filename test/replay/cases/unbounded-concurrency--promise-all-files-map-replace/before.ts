// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/justkey007/tsc-alias
// Commit:     359b806c34634f2bee290e2968863fe8a0f453b7 (its parent holds this version)
// Path:       src/index.ts
// Subject:    fix: added promise limiter (#115)
// Rule:       unbounded-concurrency should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      await Promise.all(files.map(file => replaceAlias(...))) over every file a glob matched (EMFILE on 4000+ files); fix wraps each call in a plimit-lit limiter

import { watch } from 'chokidar';
import { sync } from 'globby';
import { prepareConfig, replaceAlias, replaceAliasString } from './helpers';
import {
  AliasReplacer,
  AliasReplacerArguments,
  IConfig,
  IOutput,
  IProjectConfig,
  ReplaceTscAliasPathsOptions
} from './interfaces';

const defaultConfig = {
  watch: false,
  verbose: false,
  declarationDir: undefined,
  output: undefined,
  aliasTrie: undefined
};

/**
 * replaceTscAliasPaths replaces the aliases in the project.
 * @param {ReplaceTscAliasPathsOptions} options tsc-alias options.
 */
export async function replaceTscAliasPaths(
  options: ReplaceTscAliasPathsOptions = { ...defaultConfig }
) {
  const config = await prepareConfig(options);
  const output = config.output;

  // Finding files and changing alias paths
  const posixOutput = config.outPath.replace(/\\/g, '/').replace(/\/+$/g, '');
  const globPattern = [
    `${posixOutput}/**/*.{mjs,cjs,js,jsx,d.{mts,cts,ts,tsx}}`,
    `!${posixOutput}/**/node_modules`
  ];
  const files = sync(globPattern, {
    dot: true,
    onlyFiles: true
  });

  // Make array with promises for file changes
  // Wait for all promises to resolve
  const replaceList = await Promise.all(
    files.map((file) => replaceAlias(config, file, options?.resolveFullPaths))
  );

  // Count all changed files
  const replaceCount = replaceList.filter(Boolean).length;

  output.info(`${replaceCount} files were affected!`);
  if (options.watch) {
    output.verbose = true;
    output.info('[Watching for file changes...]');
    const filesWatcher = watch(globPattern);
    const tsconfigWatcher = watch(config.configFile);
    const onFileChange = async (file: string) =>
      await replaceAlias(config, file, options?.resolveFullPaths);
    filesWatcher.on('add', onFileChange);
    filesWatcher.on('change', onFileChange);
    tsconfigWatcher.on('change', () => {
      output.clear();
      filesWatcher.close();
      tsconfigWatcher.close();
      replaceTscAliasPaths(options);
    });
  }
  if (options.declarationDir) {
    replaceTscAliasPaths({
      ...options,
      outDir: options.declarationDir,
      declarationDir: undefined,
      output: config.output,
      aliasTrie: undefined
    });
  }
}
