import { BadRequestException } from '@nestjs/common';
import type { FieldError } from './problem-details.ts';

/** A 400 naming each bad field with its reasons; the problem-details filter renders it. */
export function fieldErrorsException(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    message: `invalid request: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
    errors,
  });
}
