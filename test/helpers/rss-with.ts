/** An RSS 2.0 document with these entries (guid = link, body in content:encoded), for feeds served in tests. */
export function rssWith(entries: Array<{ title: string; html: string; link: string; date: string }>): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://x.example/</link><description>d</description>${entries
    .map(
      (e) =>
        `<item><title><![CDATA[${e.title}]]></title><link>${e.link}</link><guid>${e.link}</guid><pubDate>${e.date}</pubDate><content:encoded><![CDATA[${e.html}]]></content:encoded></item>`,
    )
    .join('')}</channel></rss>`;
}
