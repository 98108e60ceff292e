import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { PAGE_DEFAULT } from '../common/pagination';
import { AdminRoute } from './admin-route';
import { AdminAuditEventView, AdminAuditPage, AdminAuditQuery } from './dto/admin-audit.dto';

@ApiTags('admin')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @AdminRoute(
    'audit:read',
    'admin.audit.search',
    {
      summary: 'The whole audit trail, filtered, newest first, cursor-paginated',
      description:
        '`from` is inclusive, `to` exclusive. VALIDATION_FAILED: a malformed filter, limit ' +
        'outside 1..100 or a bad cursor.',
    },
    'VALIDATION_FAILED',
  )
  @ApiOkResponse({ type: AdminAuditPage })
  async search(@Query() query: AdminAuditQuery): Promise<AdminAuditPage> {
    const limit = query.limit ?? PAGE_DEFAULT;
    const rows = await this.audit.search({
      userId: query.user_id,
      action: query.action,
      outcome: query.outcome,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      beforeId: query.cursor === undefined ? undefined : Number(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => AdminAuditEventView.ofRow(row)),
      next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null,
    };
  }
}
