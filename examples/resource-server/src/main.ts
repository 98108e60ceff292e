import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { config } from './config';
import { IntrospectionGuard } from './introspection.guard';
import { JwtStrategy } from './jwt.strategy';
import { OrdersController } from './orders.controller';

@Module({
  imports: [PassportModule],
  controllers: [OrdersController],
  providers: [JwtStrategy, IntrospectionGuard],
})
class ResourceServerModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ResourceServerModule,
    new FastifyAdapter(),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  await app.listen(config.port, '127.0.0.1');
  console.log(`resource server on http://127.0.0.1:${config.port}, trusting ${config.authUrl}`);
}

void bootstrap();
