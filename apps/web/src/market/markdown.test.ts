import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown, safeHref, safeImageSrc } from './markdown.ts';

const nodeOrigin = 'http://127.0.0.1:8080';
const render = (text: string) => renderToStaticMarkup(createElement(Markdown, { text, nodeOrigin }));

describe('README markdown', () => {
  it('renders ordinary markdown: headings under the page, lists, code, tables, links', () => {
    const html = render(
      '# Oracle feed\n\nA **fast** feed.\n\n- one\n- two\n\n```js\nlet x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[docs](https://example.com/docs)',
    );
    expect(html).toContain('<h3');
    expect(html).toContain('Oracle feed');
    expect(html).not.toContain('<h1');
    expect(html).toContain('<strong>fast</strong>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('class="language-js"');
    expect(html).toContain('<table');
    expect(html).toContain('href="https://example.com/docs"');
    expect(html).toContain('rel="nofollow ugc noopener noreferrer"');
  });

  it('drops script tags, whole', () => {
    const html = render('Hello\n\n<script>alert(1)</script>\n\nafter <script>document.cookie</script> text');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('Hello');
  });

  it('drops raw HTML with event handlers, styles and iframes', () => {
    const html = render(
      '<img src="https://x.test/a.png" onerror="alert(1)">\n\n<div onclick="alert(2)" style="position:fixed">x</div>\n\n<iframe src="https://evil.test"></iframe>\n\n<a href="https://ok.test" onmouseover="alert(3)">hover</a>',
    );
    expect(html).not.toMatch(/onerror|onclick|onmouseover|style=|<iframe|alert\(/i);
  });

  it('does not link javascript:, vbscript: or data: URLs, in any spelling', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
    ]) {
      const html = render(`[click me](${href.includes(' ') ? `<${href}>` : href})`);
      expect(html, href).not.toMatch(/href="(?:\s*javascript|vbscript|data)/i);
      expect(html, href).not.toContain('alert(1)"');
    }
    const reference = render('[x][1]\n\n[1]: javascript:alert(1)');
    expect(reference).not.toMatch(/javascript:/i);
    const autolink = render('<javascript:alert(1)>');
    expect(autolink).not.toMatch(/href="javascript/i);
  });

  it('shows images only over https or from the node', () => {
    const html = render(
      '![ok](https://img.test/a.png) ![node](http://127.0.0.1:8080/texts/a.png) ![plain](http://img.test/b.png) ![inline](data:image/png;base64,iVBORw0KGgo=) ![js](javascript:alert(1)) ![proto](//img.test/c.png)',
    );
    expect(html).toContain('src="https://img.test/a.png"');
    expect(html).toContain('src="http://127.0.0.1:8080/texts/a.png"');
    expect(html).not.toContain('http://img.test/b.png');
    expect(html).not.toContain('data:image');
    expect(html).not.toMatch(/src="javascript/i);
    expect(html).not.toContain('//img.test/c.png');
    expect(html).toContain('[image not shown: plain]');
  });

  it('keeps only allowed attributes on what markdown makes', () => {
    const html = render('<span class="x" id="top">raw</span> `code`');
    expect(html).not.toContain('class="x"');
    expect(html).not.toContain('id="top"');
  });

  it('checks URLs one by one', () => {
    expect(safeHref('https://a.test/x')).toBe('https://a.test/x');
    expect(safeHref('/c/oracle-feed')).toBe('/c/oracle-feed');
    expect(safeHref('#usage')).toBe('#usage');
    expect(safeHref('//evil.test')).toBeNull();
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('java\tscript:alert(1)')).toBeNull();
    expect(safeImageSrc('http://evil.test/a.png', nodeOrigin)).toBeNull();
    expect(safeImageSrc('http://evil.test/a.png', null)).toBeNull();
    expect(safeImageSrc('data:image/svg+xml,<svg onload=alert(1)>', nodeOrigin)).toBeNull();
  });

  it('cuts an oversize text instead of rendering it all', () => {
    const html = render(`${'a'.repeat(70 * 1024)}END`);
    expect(html).not.toContain('END');
  });
});
