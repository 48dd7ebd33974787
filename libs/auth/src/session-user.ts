import { BadRequestException } from '@nestjs/common';
import type { Principal } from './principal.ts';

/** The user and session behind a request, for routes about one's own account; API tokens are refused with 400. */
export function sessionUserOf(p: Principal): { userId: string; sessionId: string } {
  if (p.type !== 'user' || !p.sessionId) {
    throw new BadRequestException(
      'this route is for logged-in users; an API token has no password, sessions or second factor',
    );
  }
  return { userId: p.id, sessionId: p.sessionId };
}
