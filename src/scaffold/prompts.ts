import { InterruptedError } from "../errors.js";

export interface Choice {
  value: string;
  name: string;
  description?: string;
}

/** The questions `asyncpat new` asks; the terminal implementation is inquirer, tests inject answers. */
export interface Prompter {
  text(question: {
    message: string;
    default?: string;
    validate?: (value: string) => string | true | Promise<string | true>;
  }): Promise<string>;
  select(question: { message: string; choices: Choice[]; default?: string }): Promise<string>;
  integer(question: { message: string; default: number; min?: number; max?: number }): Promise<number>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
}

/** Ctrl-C at an inquirer prompt rejects with ExitPromptError; we turn it into exit code 130. */
async function interruptible<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) {
      throw new InterruptedError("Interrupted; nothing was written.");
    }
    throw error;
  }
}

/** Questions on the terminal; `signal` (SIGINT/SIGTERM from outside the terminal) cancels the open one. */
export async function inquirerPrompter(signal?: AbortSignal): Promise<Prompter> {
  const { input, select, number, confirm } = await import("@inquirer/prompts");
  const context = { signal };
  return {
    text: (question) =>
      interruptible(() =>
        input({ message: question.message, default: question.default, validate: question.validate, required: true }, context),
      ),
    select: (question) =>
      interruptible(() =>
        select<string>({ message: question.message, choices: question.choices, default: question.default, loop: false }, context),
      ),
    integer: (question) =>
      interruptible(async () => {
        const value = await number(
          { message: question.message, default: question.default, min: question.min, max: question.max, required: true, step: 1 },
          context,
        );
        return value as number;
      }),
    confirm: (question) => interruptible(() => confirm({ message: question.message, default: question.default }, context)),
  };
}
