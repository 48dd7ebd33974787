import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LoggerService } from '@nestjs/common';
import { applyHttpEdge, documentProblems, httpTracing, responseCompression, serveWebUi } from '@su/http';
import type { PlatformOptions } from '@su/platform';
import { GatewayModule } from './gateway.module.ts';
import { attachTerminalUpgrade } from './terminal-upgrade.ts';

/** Builds the HTTP application (used by main.ts and by the integration tests). */
export async function createGatewayApp(
  platform: PlatformOptions,
  logger: LoggerService | false,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(platform), {
    logger,
    bufferLogs: false,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  if (platform.config.http.trustProxy !== undefined) app.set('trust proxy', platform.config.http.trustProxy);
  app.use(responseCompression);
  applyHttpEdge(app);
  // After the body parser (see httpTracing): each request's server span, the root of the trace its job continues.
  app.use(httpTracing);
  serveWebUi(app, platform.config.http.webDir);
  app.enableShutdownHooks();
  attachTerminalUpgrade(app);
  const doc = new DocumentBuilder()
    .setTitle('system-update API')
    .setDescription(
      'Fleet update manager: machines, jobs, approvals. Authenticate with a bearer token (login or API client).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => documentProblems(SwaggerModule.createDocument(app, doc)), {
    jsonDocumentUrl: 'api/docs-json',
  });
  return app;
}
