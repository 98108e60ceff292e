/** Route config flag (RouteConfig) of the few routes that also take form-encoded bodies. */
export const FORM_BODY = 'formBody';

declare module 'fastify' {
  interface FastifyContextConfig {
    formBody?: boolean;
  }
}

/**
 * An application/x-www-form-urlencoded body as an object; null when a field repeats (no route
 * takes a list from a form).
 */
export function parseFormBody(body: string): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, name)) return null;
    fields[name] = value;
  }
  return fields;
}
