import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseClusterLine, runClusterCommand } from '../../src/commands/cluster.js';
import { KhabarError } from '../../src/errors.js';
import { republishedEdited, seedBody, seedTitle } from '../dedup/fixtures/seed-article.js';

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function run(args: string[], stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runClusterCommand(args, { stdin: Readable.from([stdinText]), stdout, stderr });
  return { code, stdout: out(), stderr: err() };
}

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const items = [
  { id: 'a', source: 's1', url: 'http://x/a', title: seedTitle, content: seedBody, published: '2026-03-07T09:00:00+03:00' },
  { id: 'b', source: 's2', url: 'http://x/b', title: 'نشرة الطقس', content: 'أجواء حارة على معظم المناطق مع رياح نشطة مثيرة للأتربة على الشرقية والرياض', published: '2026-03-07T09:30:00+03:00' },
  { id: 'c', source: 's3', url: 'http://x/c', title: republishedEdited.title, content: republishedEdited.body, published: '2026-03-07T11:00:00+03:00' },
];
const input = items.map(line).join('\n') + '\n';

describe('khabar cluster', () => {
  it('writes {"id","story"} for every input item, in order, and nothing else on stdout', async () => {
    const r = await run(['-'], input);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { id: 'a', story: 'a' },
      { id: 'b', story: 'b' },
      { id: 'c', story: 'a' },
    ]);
    expect(r.stderr).toMatch(/^3 items in \d+\.\d+ s, \d+ items\/s, 2 stories\n$/m);
  });

  it('reads a file path as well as stdin, and skips blank lines', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'khabar-cluster-')), 'items.jsonl');
    writeFileSync(file, `\n${input}\n`);
    const r = await run([file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it.each([
    ['not JSON', '{"id": "x",', /line 2: not valid JSON/],
    ['no id', line({ source: 's', title: 't', content: 'c' }), /line 2: "id" must be a non-empty string/],
    ['a non-string content', line({ id: 'x', content: 5 }), /line 2: "content" must be a string/],
    ['a bad date', line({ id: 'x', content: 'c', published: 'yesterday' }), /line 2: "published" must be an ISO 8601 date/],
    ['a repeated id', line({ id: 'a', content: 'c' }), /line 2: duplicate id "a"/],
  ])('fails with CLUSTER_INPUT_INVALID naming the line on %s', async (_name, bad, message) => {
    const r = await run(['-'], `${line(items[0])}\n${bad}\n${line(items[1])}\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch('CLUSTER_INPUT_INVALID');
    expect(r.stderr).toMatch(message);
  });

  it('fails clearly on a missing file and on bad usage', async () => {
    const missing = await run(['/nonexistent/items.jsonl']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/CLUSTER_INPUT_INVALID.*nonexistent/);
    const usage = await run([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: khabar cluster/);
  });

  it('parseClusterLine throws a KhabarError carrying the line number', () => {
    expect(() => parseClusterLine('[]', 7)).toThrow(KhabarError);
    try {
      parseClusterLine('[]', 7);
    } catch (err) {
      expect((err as KhabarError).code).toBe('CLUSTER_INPUT_INVALID');
      expect((err as KhabarError).details).toEqual({ line: 7 });
    }
  });
});
