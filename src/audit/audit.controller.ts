import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { AuditService } from './audit.service';
import {
  AUDIT_PAGE_DEFAULT,
  AuditEventView,
  AuditPageQuery,
  AuditPageResponse,
} from './dto/audit.dto';
import { ApiSession } from '../common/api-docs';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('me')
  @ApiSession(
    {
      summary: "The caller's own account activity, newest first, cursor-paginated",
      description:
        'VALIDATION_FAILED: limit outside 1..100, a malformed cursor or an unknown parameter.',
    },
    'VALIDATION_FAILED',
  )
  @ApiOkResponse({ type: AuditPageResponse })
  async mine(
    @Query() query: AuditPageQuery,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<AuditPageResponse> {
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const before = query.cursor === undefined ? undefined : Number(query.cursor);
    const rows = await this.audit.search({
      userId: session.userId,
      beforeId: before,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => AuditEventView.of(row)),
      next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null,
    };
  }
}
