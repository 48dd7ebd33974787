/** Password rules for every password a person chooses (generated ones are 20 random characters). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/** Why `password` is not acceptable for `username`; empty when it is. Never includes the password. */
export function passwordPolicyViolations(password: string, username: string): string[] {
  const reasons: string[] = [];
  // Length in code points, so a password of emoji is not counted double.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) reasons.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) reasons.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) reasons.push('must not be the username');
  if (length >= PASSWORD_MIN_LENGTH && new Set(password).size < 4)
    reasons.push('must use at least 4 different characters');
  return reasons;
}
