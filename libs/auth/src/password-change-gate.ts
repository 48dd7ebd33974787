import { SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { forbidden } from './auth-errors.ts';
import type { Principal } from './principal.ts';

const ALLOWED_KEY = 'su:allowed-while-password-change-pending';

/**
 * Marks the few routes a user whose password must be changed may still call (who am I, change password, logout).
 * Every other route answers 403 `password_change_required` for them.
 */
export const AllowedWhilePasswordChangePending = () => SetMetadata(ALLOWED_KEY, true);

/** Called by the guard once the principal is known. */
export function refuseWhilePasswordChangePending(
  reflector: Reflector,
  targets: Parameters<Reflector['getAllAndOverride']>[1],
  principal: Principal,
): void {
  if (!principal.mustChangePassword) return;
  if (reflector.getAllAndOverride<boolean>(ALLOWED_KEY, targets)) return;
  throw forbidden(
    'this password must be changed before anything else: POST /api/v1/auth/password with currentPassword and newPassword',
    'password_change_required',
  );
}
