/** The small HTML pages behind emailed links: no inline script, so a strict CSP holds. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/page.css">
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
<p id="outcome" role="status" aria-live="polite"></p>
</main>
<script src="/assets/${script}"></script>
</body>
</html>
`;
}

/** Hidden field holding the token from the link; the page's script posts it as JSON. */
export function tokenField(token: string | undefined): string {
  return `<input type="hidden" id="token" value="${escapeHtml(token ?? '')}">`;
}
