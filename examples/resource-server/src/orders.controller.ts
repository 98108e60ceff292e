import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { IntrospectionGuard } from './introspection.guard';
import type { Caller } from './jwt.strategy';

@Controller('orders')
export class OrdersController {
  /** Verified locally against the JWKS: fast, and a token stays good until its `exp`. */
  @Get()
  @UseGuards(AuthGuard('jwt'))
  list(@Req() request: { user: Caller }) {
    return { orders: [], user: request.user.userId, checked: 'jwks' };
  }

  /** Checked with the auth service on every call: a logout applies at once. */
  @Get('live')
  @UseGuards(IntrospectionGuard)
  live(@Req() request: { user: Caller }) {
    return { orders: [], user: request.user.userId, checked: 'introspection' };
  }
}
