import { BadRequestException, ForbiddenException, UnauthorizedException } from '@nestjs/common';

/** 400 naming the field and why, in the shape the validation pipe uses (never the value). */
export function fieldError(field: string, ...reasons: string[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `invalid request: ${field}`,
    errors: [{ field, reasons }],
  });
}

/**
 * Machine-readable reasons a client can act on without parsing the message (401/403 bodies carry `reason`):
 * `password_change_required` (change the password first), `totp_required` (send `totpCode`), `totp_invalid`.
 */
export type AuthRefusalReason = 'password_change_required' | 'totp_required' | 'totp_invalid';

export function unauthorized(message: string, reason: AuthRefusalReason): UnauthorizedException {
  return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message, reason });
}

export function forbidden(message: string, reason: AuthRefusalReason): ForbiddenException {
  return new ForbiddenException({ statusCode: 403, error: 'Forbidden', message, reason });
}
