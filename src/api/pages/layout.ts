/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A small, self-contained page (inline CSS, no external assets). `body` must already be escaped. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f9fafb; }
  main { max-width: 760px; margin: 40px auto; padding: 0 20px; }
  h1 { font-size: 22px; margin: 0 0 16px; }
  h2 { font-size: 17px; margin: 28px 0 10px; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-bottom: 14px; }
  .muted { color: var(--muted); }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
  .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
  button, .button { font: inherit; padding: 7px 14px; border-radius: 7px; border: 1px solid var(--line); background: #fff; cursor: pointer; text-decoration: none; color: var(--fg); display: inline-block; }
  .primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button:disabled { opacity: 0.45; cursor: not-allowed; }
  .danger { color: var(--bad); }
  input, select { font: inherit; padding: 6px 9px; border: 1px solid var(--line); border-radius: 7px; width: 100%; }
  label { display: block; margin: 8px 0 3px; font-size: 13px; color: var(--muted); }
  .row { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
  .grow { flex: 1; }
  progress { width: 100%; }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; padding: 8px 14px 12px; }
  legend { font-weight: 600; padding: 0 4px; }
  h2.card-title { font-size: 16px; margin: 0; }
  details { margin: 6px 0; } summary { cursor: pointer; }
</style></head>
<body><main>${body}</main></body></html>`;
}
