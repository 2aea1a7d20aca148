import type { Writable } from "node:stream";

export interface Progress {
  /** The package manager printed a line. */
  line(text: string): void;
  /** Ends the progress display with a final message. */
  done(message: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * On a terminal: one spinner line showing the latest output line, redrawn in place. Elsewhere (CI,
 * pipes): the label once and the final message, so logs stay readable.
 */
export function startProgress(stream: Writable & { isTTY?: boolean; columns?: number }, label: string): Progress {
  if (!stream.isTTY) {
    stream.write(`${label}…\n`);
    return { line: () => undefined, done: (message) => void stream.write(`${message}\n`) };
  }
  let frame = 0;
  let latest = "";
  // A pseudo-terminal may report 0 columns.
  const width = Math.max(20, (stream.columns || 80) - 2);
  const draw = (): void => {
    const text = `${FRAMES[frame % FRAMES.length]} ${label}${latest ? ` · ${latest}` : ""}`;
    stream.write(`\r\x1b[2K${text.slice(0, width)}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    line: (text) => {
      latest = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
    },
    done: (message) => {
      clearInterval(timer);
      stream.write(`\r\x1b[2K${message}\n`);
    },
  };
}
