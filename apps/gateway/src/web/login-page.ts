/** GET /login: a plain HTML form that posts to /session (no scripts, no framework). */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `next` must be a path on this server, so the form cannot be used to redirect elsewhere. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 512) return undefined;
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : undefined;
}

export function loginPage(serverName: string, next?: string): string {
  const nextField = next ? `\n    <input type="hidden" name="next" value="${escapeHtml(next)}">` : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in to ${escapeHtml(serverName)}</title></head>
<body>
  <h1>Log in to ${escapeHtml(serverName)}</h1>
  <form method="post" action="/session">
    <label>Account <input name="user" autocomplete="username" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>${nextField}
    <button type="submit">Log in</button>
  </form>
</body>
</html>
`;
}
