import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtension } from '@nestjs/swagger';
import { Audit } from '../audit/audit.interceptor';
import { ApiSession, OperationText, ProblemCode } from '../common/api-docs';
import { RequirePermissions } from '../roles/require-permissions.decorator';
import type { Permission } from '../roles/roles';

/**
 * Every admin route in one mark, so none can lack a part: the permission it needs (checked by
 * the global guard after the session), its audit action (the caller as actor_id, the account
 * acted on as user_id) and its documentation, which names the permission (also as
 * `x-required-permissions`) and lists 403 FORBIDDEN with the route's own problems.
 */
export const AdminRoute = (
  permission: Permission,
  action: string,
  operation: OperationText,
  ...codes: ProblemCode[]
) =>
  applyDecorators(
    RequirePermissions(permission),
    Audit(action, { actor: true }),
    ApiSession(
      {
        summary: operation.summary,
        description: [
          `Needs the \`${permission}\` permission: 403 FORBIDDEN otherwise.`,
          operation.description,
        ]
          .filter(Boolean)
          .join(' '),
      },
      'FORBIDDEN',
      ...codes,
    ),
    ApiExtension('x-required-permissions', [permission]),
  );

/** An admin route that takes no body: none, or `{}` (see NoBody). */
export const ApiEmptyBody = () =>
  ApiBody({
    required: false,
    schema: { type: 'object', properties: {}, additionalProperties: false },
  });
