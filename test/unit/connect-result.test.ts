import { describe, expect, it } from 'vitest';
import { connectResultMessage, connectResultPage } from '../../src/api/pages/connect-result';

describe('the connect result page (a connect link without returnUrl)', () => {
  it('names the connected account, escaped', () => {
    const html = connectResultPage({ ok: true, accountEmail: 'ada+<b>@example.com' });
    expect(html).toContain('Calendar connected');
    expect(html).toContain('ada+&lt;b&gt;@example.com is now connected.');
    expect(html).not.toContain('<b>@');
  });

  it('says so plainly when the provider named no account', () => {
    expect(connectResultPage({ ok: true, accountEmail: null })).toContain('Your calendar is now connected.');
  });

  it('explains a failure and shows its code', () => {
    const html = connectResultPage({ ok: false, error: 'access_denied' });
    expect(html).toContain('Calendar not connected');
    expect(html).toContain('You did not allow access to your calendar.');
    expect(html).toContain('<code>access_denied</code>');
  });

  it('has a message for a code it does not know', () => {
    expect(connectResultMessage('something_new')).toBe('The calendar could not be connected. Please try again.');
  });

  it('gives names of Object.prototype members (from a URL) the general message', () => {
    for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(connectResultMessage(code)).toBe('The calendar could not be connected. Please try again.');
    }
  });
});
