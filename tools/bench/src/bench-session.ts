import { AdminBootstrapService } from '@su/auth';
import type { createGatewayApp } from '@su/gateway';

/** A signed-in admin's session token (the cookie a browser would hold after signing in; also a bearer token). */
export async function adminSession(app: Awaited<ReturnType<typeof createGatewayApp>>, base: string): Promise<string> {
  const admin = (await app.get(AdminBootstrapService).ensureAdmin('admin'))!;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const login = (await (await post('/api/v1/auth/login', { username: 'admin', password: admin.password })).json()) as {
    token: string;
  };
  await post(
    '/api/v1/auth/password',
    { currentPassword: admin.password, newPassword: `${admin.password}-bench` },
    login.token,
  );
  return login.token;
}
