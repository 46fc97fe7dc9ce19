import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../src/pipeline/sanitize-html.js';

const base = 'https://news.example.org/culture/2026/03/library';
const clean = (html: string) => sanitizeHtml(html, { baseUrl: base });

describe('sanitizeHtml: tracking pixels', () => {
  it.each([
    ['<p>نص<img src="https://t.example/p.gif" width="1" height="1"></p>', '<p>نص</p>'],
    ['<img src="/p.gif" width="0" height="0">', ''],
    ['<img src="/p.gif" width="1px" height="1PX">', ''],
    ['<img src="/p.gif" width=" 1 " height="0.5">', ''],
    ['<img src="/p.gif" width="1">', ''],
    ['<img src="/p.gif" height="0">', ''],
    ['<img src="data:image/gif;base64,R0lGOD" data-src="https://t.example/p.gif" width="1" height="1">', ''],
  ])('drops %s', (html, expected) => {
    expect(clean(html)).toBe(expected);
  });

  it.each([
    ['<img src="/a.jpg">', '<img src="https://news.example.org/a.jpg" />'],
    ['<img src="/a.jpg" width="640" height="360">', '<img src="https://news.example.org/a.jpg" width="640" height="360" />'],
    ['<img src="/a.jpg" width="640">', '<img src="https://news.example.org/a.jpg" width="640" />'],
    // A 1 px wide but tall image is visible (a rule, a divider); so is one whose other side is unknown.
    ['<img src="/line.png" width="1" height="300">', '<img src="https://news.example.org/line.png" width="1" height="300" />'],
    ['<img src="/a.jpg" width="1" height="100%">', '<img src="https://news.example.org/a.jpg" width="1" height="100%" />'],
    ['<img src="/a.jpg" width="1.5" height="1.5">', '<img src="https://news.example.org/a.jpg" width="1.5" height="1.5" />'],
    ['<img src="/a.jpg" width="10">', '<img src="https://news.example.org/a.jpg" width="10" />'],
  ])('keeps %s', (html, expected) => {
    expect(clean(html)).toBe(expected);
  });
});

describe('sanitizeHtml: cite on quotes', () => {
  it.each([
    ['<blockquote cite="/2026/03/speech">قال</blockquote>', '<blockquote cite="https://news.example.org/2026/03/speech">قال</blockquote>'],
    ['<q cite="statement">قال</q>', '<q cite="https://news.example.org/culture/2026/03/statement">قال</q>'],
    ['<q cite="//agency.example/r/1">قال</q>', '<q cite="https://agency.example/r/1">قال</q>'],
    ['<blockquote cite="https://agency.example/r/1">قال</blockquote>', '<blockquote cite="https://agency.example/r/1">قال</blockquote>'],
    ['<blockquote cite="mailto:desk@news.example.org">قال</blockquote>', '<blockquote>قال</blockquote>'],
    ['<q cite="javascript:alert(1)">قال</q>', '<q>قال</q>'],
    ['<q cite="data:text/html,x">قال</q>', '<q>قال</q>'],
    ['<blockquote cite="  ">قال</blockquote>', '<blockquote>قال</blockquote>'],
  ])('%s', (html, expected) => {
    expect(clean(html)).toBe(expected);
  });

  it('drops a relative cite when there is no base to resolve it against', () => {
    expect(sanitizeHtml('<q cite="/speech">قال</q>')).toBe('<q>قال</q>');
  });
});
