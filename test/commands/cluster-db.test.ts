import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runClusterCommand } from '../../src/commands/cluster.js';
import { agencyCopy, agencyParagraphs, republishedCopy, thirdReport, unrelatedReport } from '../helpers/agency-report.js';

const text = (html: string) => html.replace(/<\/p>/g, '\n').replace(/<[^>]+>/g, '').trim();

function streamFile(dir: string): string {
  const t0 = Date.UTC(2026, 10, 29, 6);
  const rows = [
    { id: 'agency-1', source: 'agency', ...agencyCopy() },
    { id: 'solar-1', source: 'daily', ...unrelatedReport() },
    { id: 'daily-1', source: 'daily', ...republishedCopy() },
    { id: 'space-1', source: 'agency', ...thirdReport() },
    { id: 'lead-1', source: 'weekly', title: 'خطة الأمن المائي', html: agencyParagraphs[0] },
    { id: 'space-2', source: 'daily', ...thirdReport(), title: 'قمر صناعي جديد لرصد العواصف' },
  ].map((r, i) => JSON.stringify({ id: r.id, source: r.source, url: `https://x.example/${r.id}`, title: r.title, content: text(r.html), published: new Date(t0 + i * 600_000).toISOString() }));
  const file = path.join(dir, 'stream.jsonl');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

async function run(args: string[]): Promise<{ code: number; out: Array<{ id: string; story: string }> }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c) => chunks.push(c));
  const code = await runClusterCommand(args, { stdin: new PassThrough(), stdout, stderr: new PassThrough() });
  const out = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { code, out };
}

describe('khabar cluster --db', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'khabar-cluster-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same stories on the Postgres index as in memory, and republished copies share one', async () => {
    const file = streamFile(dir);
    const memory = await run([file]);
    const db = await run(['--db', file]);
    expect(memory.code).toBe(0);
    expect(db.code).toBe(0);
    expect(db.out).toEqual(memory.out);
    const story = Object.fromEntries(db.out.map((r) => [r.id, r.story]));
    expect(story['daily-1']).toBe(story['agency-1']);
    expect(story['space-2']).toBe(story['space-1']);
    expect(story['solar-1']).toBe('solar-1');
    expect(story['space-1']).not.toBe(story['agency-1']);
  }, 60_000);
});
