import { Injectable, Module, OnApplicationBootstrap, Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appConfig } from '../../src/config/app.config';
import { buildOpenApiDocument } from '../../src/http';
import { mismatchMessage, ObservedResponse, ResponseContract } from './openapi-responses';

/** Per app: its document's contract, built on the first response (most apps answer several). */
const contractSources = new WeakMap<FastifyInstance, () => ResponseContract>();
/** One contract per distinct document in this test file: apps of one module share validators. */
const contractsByDocument = new Map<string, ResponseContract>();
const mismatches: string[] = [];

function contractOf(app: NestFastifyApplication): ResponseContract {
  const document = buildOpenApiDocument(app, app.get(appConfig.KEY));
  const key = JSON.stringify([document.paths, document.components]);
  let contract = contractsByDocument.get(key);
  if (!contract) {
    contract = new ResponseContract(document);
    contractsByDocument.set(key, contract);
  }
  return contract;
}

function observed(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): ObservedResponse {
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString('utf8')
        : payload === null || payload === undefined
          ? ''
          : undefined;
  return {
    method: request.method,
    url: request.url,
    route: request.routeOptions.url,
    status: reply.statusCode,
    headers: reply.getHeaders(),
    body: text,
  };
}

/** Checks each response as it is sent; a mismatch waits in `mismatches` for the running test. */
@Injectable()
class ResponseWatch implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  // Before http.ts makes Fastify ready: hooks cannot be added after.
  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const contract = contractSources.get(fastify);
      if (contract) {
        const response = observed(request, reply, payload);
        try {
          const problems = contract().problemsWith(response);
          if (problems.length > 0) mismatches.push(mismatchMessage(response, problems));
        } catch (error) {
          mismatches.push(mismatchMessage(response, [`the check itself failed: ${String(error)}`]));
        }
      }
      done(null, payload);
    });
  }
}

/** `rootModule` with the response watch added to it. */
export function watchedModule(rootModule: Type<unknown>): Type<unknown> {
  @Module({ imports: [rootModule], providers: [ResponseWatch] })
  class WatchedApp {}
  return WatchedApp;
}

/** From now on the app's responses are checked against the app's own OpenAPI document. */
export function checkResponsesOf(app: NestFastifyApplication): void {
  let contract: ResponseContract | undefined;
  contractSources.set(
    app.getHttpAdapter().getInstance() as unknown as FastifyInstance,
    () => (contract ??= contractOf(app)),
  );
}

/** The mismatches seen since the last call (the setup file fails the running test with them). */
export function takeMismatches(): string[] {
  return mismatches.splice(0);
}
