import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { fieldErrorsException } from './field-errors.ts';
import type { FieldError } from './problem-details.ts';
import { safeFieldName } from './request-input.ts';

/** Flattens nested class-validator errors into `credentials.password`-style paths. */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const name = safeFieldName(e.property);
    const field = parent ? `${parent}.${name}` : name;
    // The whitelist's own message quotes the property name, which is the client's text when it is not a plain name.
    const reasons = Object.entries(e.constraints ?? {}).map(([rule, reason]) =>
      rule === 'whitelistValidation' ? `property ${name} should not exist` : reason,
    );
    const own: FieldError[] = reasons.length ? [{ field, reasons }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Whitelisting validation: unknown fields are rejected (not silently dropped), every bad field is named with its
 * reasons, and no value is echoed back (a bad password must not reappear in a response or a log).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => fieldErrorsException(flatten(errors)),
  });
}
