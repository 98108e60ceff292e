import type { FastifyReply } from 'fastify';
import { PAGE_CSP } from './page';

/** Sends one of the link pages with its own strict CSP. */
export function sendPage(reply: FastifyReply, html: string): string {
  void reply.type('text/html; charset=utf-8').header('Content-Security-Policy', PAGE_CSP);
  return html;
}
