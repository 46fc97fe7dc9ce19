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

describe('sanitizeHtml: direction and language', () => {
  it.each([
    // Kept on block elements
    ['<p dir="ltr" lang="en">Reuters said</p>', '<p dir="ltr" lang="en">Reuters said</p>'],
    ['<div dir="rtl" lang="ar">نص</div>', '<div dir="rtl" lang="ar">نص</div>'],
    ['<blockquote dir="ltr" lang="en-GB" cite="/s">Quote</blockquote>', '<blockquote dir="ltr" lang="en-GB" cite="https://news.example.org/s">Quote</blockquote>'],
    ['<ul dir="ltr"><li lang="fr">un</li></ul>', '<ul dir="ltr"><li lang="fr">un</li></ul>'],
    ['<table dir="ltr"><tr><td dir="rtl" colspan="2">١</td></tr></table>', '<table dir="ltr"><tr><td dir="rtl" colspan="2">١</td></tr></table>'],
    ['<pre dir="ltr">x = 1</pre>', '<pre dir="ltr">x = 1</pre>'],
    ['<figure dir="ltr"><figcaption lang="en">Photo</figcaption></figure>', '<figure dir="ltr"><figcaption lang="en">Photo</figcaption></figure>'],
    ['<h1 dir="ltr">Title</h1>', '<h2 dir="ltr">Title</h2>'],
    ['<h6 lang="en">Small</h6>', '<h4 lang="en">Small</h4>'],
    // Values normalized or dropped
    ['<p dir=" LTR ">x</p>', '<p dir="ltr">x</p>'],
    ['<p dir="auto">x</p>', '<p dir="auto">x</p>'],
    ['<p dir="up">x</p>', '<p>x</p>'],
    ['<p dir="">x</p>', '<p>x</p>'],
    ['<p lang="zh-Hant-TW">x</p>', '<p lang="zh-Hant-TW">x</p>'],
    ['<p lang="en us">x</p>', '<p>x</p>'],
    ['<p lang="">x</p>', '<p>x</p>'],
    ['<p lang="&quot;><script>">x</p>', '<p>x</p>'],
    // bdi and bdo stay, with their direction; nothing else rides along
    ['<p>قال <bdi>CNN</bdi> إن</p>', '<p>قال <bdi>CNN</bdi> إن</p>'],
    ['<p><bdi dir="ltr" lang="en">BBC</bdi></p>', '<p><bdi dir="ltr" lang="en">BBC</bdi></p>'],
    ['<bdo dir="rtl">abc</bdo>', '<bdo dir="rtl">abc</bdo>'],
    ['<bdo dir="ltr" onclick="alert(1)" class="x" style="color:red">abc</bdo>', '<bdo dir="ltr">abc</bdo>'],
    ['<bdi dir="sideways">x</bdi>', '<bdi>x</bdi>'],
    // Not on inline elements, and spans (not allowed) still disappear
    ['<p><a href="/a" dir="ltr" lang="en">link</a></p>', '<p><a href="https://news.example.org/a" rel="nofollow noopener noreferrer">link</a></p>'],
    ['<p><strong dir="ltr" lang="en">x</strong></p>', '<p><strong>x</strong></p>'],
    ['<img src="/a.jpg" dir="ltr" lang="en">', '<img src="https://news.example.org/a.jpg" />'],
    ['<p><span dir="ltr">x</span></p>', '<p>x</p>'],
  ])('%s', (html, expected) => {
    expect(clean(html)).toBe(expected);
  });
});
