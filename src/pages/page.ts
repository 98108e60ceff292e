import type { FastifyReply } from 'fastify';

/** The small HTML pages behind emailed links: no inline script, so a strict CSP holds. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page whose form /assets/pages.js posts as JSON: the link's token plus the form's fields. */
export interface TokenForm {
  title: string;
  /** Where the form posts. */
  action: string;
  /** What the page says once the post succeeded. */
  done: string;
  /** Trusted markup between the token and the button. */
  content: string;
  button: string;
}

/**
 * Sends the page behind an emailed link with its own strict CSP. A GET never consumes the token
 * (mail scanners prefetch links); only the form's POST does.
 */
export function sendTokenPage(reply: FastifyReply, token: unknown, form: TokenForm): string {
  void reply.type('text/html; charset=utf-8').header('Content-Security-Policy', PAGE_CSP);
  const title = escapeHtml(form.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="/assets/page.css">
</head>
<body>
<main>
<h1>${title}</h1>
<form id="form" data-action="${escapeHtml(form.action)}" data-done="${escapeHtml(form.done)}">
<input type="hidden" id="token" value="${escapeHtml(typeof token === 'string' ? token : '')}">
${form.content}
<button type="submit">${escapeHtml(form.button)}</button>
</form>
<p id="outcome" role="status" aria-live="polite"></p>
</main>
<script src="/assets/pages.js"></script>
</body>
</html>
`;
}
