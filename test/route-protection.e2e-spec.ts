import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { randomUUID } from 'node:crypto';
import { IS_PUBLIC } from '../src/common/public.decorator';
import { REQUIRED_PERMISSIONS } from '../src/roles/require-permissions.decorator';
import { bearer, loggedInUser } from './support/factories';
import { expectProblem } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';

interface Route {
  method: string;
  path: string;
  guard: 'public' | 'session' | 'permission';
  /** A route marked both @Public() and @RequirePermissions: a mistake this suite refuses. */
  contradictory: boolean;
}

/**
 * Every route the application registers, from the controllers Nest's router mounted (their
 * path and method metadata), each checked against Fastify's router: nothing is listed by hand.
 */
function registeredRoutes(t: TestApp): Route[] {
  const fastify = t.app.getHttpAdapter().getInstance() as FastifyInstance;
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const own = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = `/${[base, own].filter((part) => part && part !== '/').join('/')}`.replace(
          /\/+/g,
          '/',
        );
        const verb = RequestMethod[method];
        expect(fastify.hasRoute({ method: verb as HTTPMethods, url: path })).toBe(true);
        const open = Boolean(
          Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller),
        );
        const permissions = Boolean(
          Reflect.getMetadata(REQUIRED_PERMISSIONS, handler) ??
          Reflect.getMetadata(REQUIRED_PERMISSIONS, controller),
        );
        routes.push({
          method: verb,
          path,
          guard: open ? 'public' : permissions ? 'permission' : 'session',
          contradictory: open && permissions,
        });
      }
    }
  }
  return routes;
}

const concrete = (path: string) => path.replace(/:[A-Za-z_]+/g, () => randomUUID());

describe('nothing reachable by accident', () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp();
    routes = registeredRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the routes from the router, the admin API among them', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((route) => route.path.startsWith('/admin')).length).toBeGreaterThanOrEqual(
      10,
    );
  });

  it('every route is @Public(), session-guarded or permission-guarded, never public and permission-marked', () => {
    expect(routes.filter((route) => route.contradictory)).toEqual([]);
    for (const route of routes) expect(['public', 'session', 'permission']).toContain(route.guard);
  });

  it('every /admin route is permission-guarded', () => {
    const admin = routes.filter((route) => route.path.startsWith('/admin'));
    expect(admin.filter((route) => route.guard !== 'permission')).toEqual([]);
  });

  it('every route that is not @Public() answers 401 without a token', async () => {
    for (const route of routes.filter((r) => r.guard !== 'public')) {
      const response = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path));
      expect([route.method, route.path, response.status]).toEqual([route.method, route.path, 401]);
      expectProblem(response, 401, 'TOKEN_INVALID');
    }
  });

  it('every /admin route answers 403 FORBIDDEN to a verified non-admin, before reading a body', async () => {
    const user = await loggedInUser(t);
    for (const route of routes.filter((r) => r.path.startsWith('/admin'))) {
      const response = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path))
        .set(bearer(user.accessToken))
        .set('Content-Type', 'application/json')
        .send('{not json');
      expect([route.method, route.path, response.status]).toEqual([route.method, route.path, 403]);
      expectProblem(response, 403, 'FORBIDDEN');
    }
  });
});
