/**
 * Structured logs: pino, one JSON object per line on stderr (stdout carries the results), with the
 * level as a word and an ISO time: what log shippers and `jq` read without configuration.
 */
import { pino, stdSerializers, stdTimeFunctions } from "pino";

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LineWriter = (line: string) => void;

const writeStderr: LineWriter = (line) => {
  process.stderr.write(line);
};

export function createLogger(write: LineWriter = writeStderr): Logger {
  const logger = pino(
    {
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: stdSerializers.err },
    },
    { write },
  );
  return {
    info: (msg, fields = {}) => logger.info(fields, msg),
    warn: (msg, fields = {}) => logger.warn(fields, msg),
    error: (msg, fields = {}) => logger.error(fields, msg),
  };
}
