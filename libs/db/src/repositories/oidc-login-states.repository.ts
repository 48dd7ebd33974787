import type { DbClient } from '../database.ts';

export interface OidcLoginStateRecord {
  browserHash: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: Date;
}

/** Pending OpenID Connect sign-ins (between the redirect to the provider and its callback). */
export class OidcLoginStatesRepository {
  constructor(private readonly db: DbClient) {}

  async create(input: {
    stateHash: string;
    browserHash: string;
    nonce: string;
    codeVerifier: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.oidcLoginState.create({ data: input });
  }

  /**
   * Removes and returns the pending sign-in of this state, expired or not (the caller decides): one DELETE ...
   * RETURNING, so of two concurrent callbacks with the same state exactly one gets the row.
   */
  async take(stateHash: string): Promise<OidcLoginStateRecord | null> {
    const rows = await this.db.$queryRaw<OidcLoginStateRecord[]>`
      DELETE FROM oidc_login_states WHERE state_hash = ${stateHash}
      RETURNING browser_hash AS "browserHash", nonce, code_verifier AS "codeVerifier", expires_at AS "expiresAt"`;
    return rows[0] ?? null;
  }

  /** Sign-ins abandoned at the provider; their rows are useless after expiry. */
  async deleteExpired(now = new Date()): Promise<number> {
    const res = await this.db.oidcLoginState.deleteMany({ where: { expiresAt: { lte: now } } });
    return res.count;
  }
}
