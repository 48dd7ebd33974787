import { inspect } from 'node:util';

/**
 * A secret read from the configuration. It prints as `[secret]` through every path a value usually takes to a log
 * (template strings, JSON, util.inspect / console), so logging the configuration by mistake leaks nothing; the
 * one way to the value is `reveal()`, called where the secret is used.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
