import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** The account dashboard under /app/ (web/, docs/dashboard.md). */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
