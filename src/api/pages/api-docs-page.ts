import { escapeHtml, page } from './layout';

type Operation = {
  tags?: string[];
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string }>;
};

/** The OpenAPI document as a page, rendered here: no scripts, so the strict CSP holds. */
export function apiDocsPage(doc: { info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> }): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const auth = (op.security ?? []).flatMap((s) => Object.keys(s)).join(', ') || 'none';
      const params = (op.parameters ?? [])
        .map((p) => `${escapeHtml(p.name)} <span class="muted">(${escapeHtml(p.in)}${p.required ? ', required' : ''})</span>`)
        .join(', ');
      const body = op.requestBody?.content['application/json']?.schema;
      const responses = Object.entries(op.responses)
        .map(([status, r]) => `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description)}</li>`)
        .join('');
      const card = `<div class="card"><div><span class="badge">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></div>
<p>${escapeHtml(op.summary ?? '')} <span class="muted">· auth: ${escapeHtml(auth)}</span></p>
${params ? `<p class="muted">parameters: ${params}</p>` : ''}
${body ? `<details><summary>request body</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>` : ''}
<ul>${responses}</ul></div>`;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), card]);
    }
  }
  const sections = [...byTag].map(([tag, cards]) => `<h2>${escapeHtml(tag)}</h2>${cards.join('')}`).join('');
  return page(
    `${doc.info.title} API`,
    `<h1>${escapeHtml(doc.info.title)} API <span class="muted">${escapeHtml(doc.info.version)}</span></h1>
<p class="muted">Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, generated from the request validators).</p>${sections}`,
  );
}
