import { posixWord } from '@su/templates';

/** The automation user's sudoers drop-in: its name, and what it grants (every command, no password). */
export function sudoersDropIn(user: string): { path: string; line: string } {
  return { path: `/etc/sudoers.d/90-system-update-${user}`, line: `${user} ALL=(ALL:ALL) NOPASSWD: ALL` };
}

/**
 * The script (run as root through the current credentials) that creates the automation user: its account (no
 * password: `*` can never match, unlike `!` which sshd reads as a locked account and refuses keys for), its
 * authorized key, and its sudoers drop-in, which `visudo -c` checks alone before it is installed and then with the
 * whole configuration (a broken one is removed again, so sudo keeps working for everyone). Idempotent.
 */
export function automationUserScript(user: string, publicKey: string, disablePassword: boolean): string {
  const dropIn = sudoersDropIn(user);
  return `set -eu
u=${posixWord(user)}
key=${posixWord(publicKey)}
dropin=${posixWord(dropIn.path)}
if ! id "$u" >/dev/null 2>&1; then
  useradd -m -s /bin/sh "$u"
  usermod -p '*' "$u"
  echo "created user $u"
fi
${disablePassword ? `usermod -p '*' "$u"\necho "password login of $u disabled"\n` : ''}home=$(getent passwd "$u" | cut -d: -f6)
install -d -m 700 -o "$u" -g "$u" "$home/.ssh"
touch "$home/.ssh/authorized_keys"
grep -qxF "$key" "$home/.ssh/authorized_keys" || printf '%s\\n' "$key" >> "$home/.ssh/authorized_keys"
chown "$u:$u" "$home/.ssh/authorized_keys"
chmod 600 "$home/.ssh/authorized_keys"
tmp=$(mktemp)
printf '%s\\n' ${posixWord(dropIn.line)} > "$tmp"
if ! visudo -c -q -f "$tmp"; then rm -f "$tmp"; echo "error: the sudoers drop-in does not parse" >&2; exit 3; fi
install -m 0440 -o root -g root "$tmp" "$dropin"
rm -f "$tmp"
if ! visudo -c -q; then rm -f "$dropin"; echo "error: visudo -c refused the configuration with the drop-in" >&2; exit 4; fi
echo "sudoers drop-in $dropin checked with visudo -c"
`;
}
