// Minimal HTML helpers for the sandbox's pages. Everything interpolated goes through
// escapeHtml: the consent page echoes attacker-controllable query parameters.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    background:#f0f4f9;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f1f1f}
  main{width:min(460px,calc(100vw - 32px));background:#fff;border-radius:28px;padding:36px 40px;
    box-shadow:0 1px 3px rgba(0,0,0,.12)}
  .badge{display:inline-block;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;
    color:#8a4b00;background:#fff1dc;border-radius:999px;padding:2px 10px;margin-bottom:16px}
  h1{font-size:24px;font-weight:400;margin:0 0 8px}
  p{margin:0 0 16px;color:#444746}
  ul{padding-left:20px;margin:0 0 20px}
  li{margin-bottom:8px}
  code{font-size:12px;color:#5f6368;word-break:break-all}
  label{display:block;font-size:13px;color:#444746;margin-bottom:6px}
  input[type=email]{width:100%;font:inherit;padding:12px 14px;border:1px solid #747775;border-radius:6px;margin-bottom:24px}
  input[type=email]:focus{outline:2px solid #0b57d0;border-color:transparent}
  .actions{display:flex;justify-content:flex-end;gap:12px}
  button{font:inherit;font-weight:500;border-radius:999px;padding:10px 24px;cursor:pointer;border:1px solid #747775;background:#fff;color:#0b57d0}
  button.primary{background:#0b57d0;border-color:#0b57d0;color:#fff}
  .error{color:#b3261e;background:#fce8e6;border-radius:8px;padding:8px 12px}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
  dt{color:#5f6368}
  dd{margin:0;word-break:break-word}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<span class="badge">Google sandbox</span>
${body}
</main>
</body>
</html>
`;
}

export function errorPage(error: string, message: string): string {
  return page(
    `Error: ${error}`,
    `<h1>Access blocked: this request is invalid</h1>
<p class="error">Error 400: ${escapeHtml(error)}</p>
<p>${escapeHtml(message)}</p>`,
  );
}
