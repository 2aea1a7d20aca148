/** Exit codes shared by every command: see README "Exit codes". */
export const ExitCode = {
  ok: 0,
  findings: 1,
  failedStep: 1,
  usage: 2,
  internal: 2,
  interrupted: 130,
} as const;

/** Bad flags, bad config, a path that does not exist: the user can fix it; exit 2. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.usage;
}

/** A step the command ran failed (an install, a git commit): exit 1. */
export class StepFailedError extends Error {
  readonly exitCode = ExitCode.failedStep;
}

/** The user pressed Ctrl-C at a prompt or during a step: exit 130. */
export class InterruptedError extends Error {
  readonly exitCode = ExitCode.interrupted;
  constructor(message = "Interrupted.") {
    super(message);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error && typeof error === "object" && "exitCode" in error && typeof error.exitCode === "number") {
    return error.exitCode;
  }
  return ExitCode.internal;
}
