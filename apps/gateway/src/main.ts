import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { AdminBootstrapService } from '@su/auth';
import { runService } from '@su/platform';
import { createGatewayApp } from './gateway.app.ts';
import { startTracing } from '@su/telemetry-sdk';

await runService({
  service: 'gateway',
  tracing: startTracing,
  create: (platform, logger) => createGatewayApp(platform, logger),
  afterStart: async (app, config, log) => {
    const admin = await app.get(AdminBootstrapService).ensureAdmin(config.adminUsername);
    if (admin) {
      // Printed once, on the start that created the user; only the hash is stored.
      process.stdout.write(
        `\n  First start: admin login created\n    username: ${admin.username}\n    password: ${admin.password}\n  It must be changed at the first login (POST /api/v1/auth/password); it is not shown again.\n\n`,
      );
    }
    await (app as INestApplication).listen(config.http.port, config.http.host);
    log.log(`listening on http://${config.http.host}:${config.http.port} (API docs: /api/docs)`);
  },
});
