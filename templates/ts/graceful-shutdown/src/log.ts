/** One JSON object per line on stdout: what log shippers and `jq` read without configuration. */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LineWriter = (line: string) => void;

const writeStdout: LineWriter = (line) => {
  process.stdout.write(line);
};

export function createLogger(level: LogLevel = "info", write: LineWriter = writeStdout): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emitter = (lineLevel: LogLevel) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return () => undefined;
    return (msg: string, fields: LogFields = {}): void => {
      write(`${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg, ...fields }, replaceErrors)}\n`);
    };
  };
  return { debug: emitter("debug"), info: emitter("info"), warn: emitter("warn"), error: emitter("error") };
}

function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}
