// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/stryker-mutator/stryker-js
// Commit:     5b7c2424dc57b32d390112bcbf8b79bf41c05a11 (its parent holds this version)
// Path:       packages/core/src/input/InputFileResolver.ts
// Subject:    fix(core): fix "too many open files" (#2498)
// Rule:       unbounded-concurrency should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      private async readFiles(fileNames) awaits Promise.all(fileNames.map(f => this.readFile(f))) where readFile does fs.promises.readFile: every project file opened at once (EMFILE)
// Note:       The class is cut down to readFiles and readFile; the fix bounds the fan-out with rxjs mergeMap(…, MAX_CONCURRENT_FILE_IO).

import * as path from 'path';
import { promises as fs } from 'fs';
import { StringDecoder } from 'string_decoder';

import { File, StrykerOptions } from '@stryker-mutator/api/core';
import { Logger } from '@stryker-mutator/api/logging';
import { commonTokens, tokens } from '@stryker-mutator/api/plugin';
import { SourceFile } from '@stryker-mutator/api/report';
import { childProcessAsPromised, isErrnoException, normalizeWhitespaces, StrykerError, notEmpty } from '@stryker-mutator/util';

import { coreTokens } from '../di';
import StrictReporter from '../reporters/StrictReporter';
import { glob } from '../utils/fileUtils';
import { defaultOptions } from '../config/OptionsValidator';

import InputFileCollection from './InputFileCollection';

export default class InputFileResolver {
  private async readFiles(fileNames: string[]): Promise<File[]> {
    const files = await Promise.all(fileNames.map((fileName) => this.readFile(fileName)));
    return files.filter(notEmpty);
  }

  private async readFile(fileName: string): Promise<File | null> {
    try {
      const content = await fs.readFile(fileName);
      const file = new File(fileName, content);
      this.reportSourceFilesRead(file);
      return file;
    } catch (error) {
      if ((isErrnoException(error) && error.code === 'ENOENT') || error.code === 'EISDIR') {
        return null; // file is deleted or a directory. This can be a valid result of the git command
      } else {
        // Rethrow
        throw error;
      }
    }
  }
}
