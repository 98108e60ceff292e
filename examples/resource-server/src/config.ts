/** Where the auth service is, and this service's introspection credentials. */
export const config = {
  port: Number(process.env.PORT ?? 4000),
  authUrl: (process.env.AUTH_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
  issuer: process.env.JWT_ISSUER ?? 'nest-auth-service',
  audience: process.env.JWT_AUDIENCE ?? 'nest-auth-service',
  introspectionClientId: process.env.INTROSPECTION_CLIENT_ID ?? '',
  introspectionSecret: process.env.INTROSPECTION_CLIENT_SECRET ?? '',
};
