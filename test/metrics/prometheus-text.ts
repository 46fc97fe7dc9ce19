/** A strict reader of the Prometheus text exposition format (0.0.4), enough to check what /metrics sends. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusText {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Throws on any line that is not a comment, a HELP/TYPE line or a well-formed sample of a declared family. */
export function parsePrometheusText(text: string): PrometheusText {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      if (!NAME.test(name)) throw new Error(`line ${i + 1}: bad metric name ${name}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest[0])) throw new Error(`line ${i + 1}: bad type ${rest[0]}`);
        if (types.has(name)) throw new Error(`line ${i + 1}: ${name} typed twice`);
        types.set(name, rest[0]);
      } else help.set(name, rest.join(' '));
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`line ${i + 1}: bad labels: ${body}`);
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    // Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`).
    const raw = m[4].toLowerCase();
    const value = raw === '+inf' || raw === 'inf' ? Infinity : raw === '-inf' ? -Infinity : raw === 'nan' ? NaN : Number(m[4]);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`line ${i + 1}: bad value ${m[4]}`);
    const family = familyOf(m[1], types);
    if (family === undefined) throw new Error(`line ${i + 1}: ${m[1]} has no TYPE line`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, help, samples };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count', '_total']) {
    if (name.endsWith(suffix) && types.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return undefined;
}

/** The value of the one sample with exactly these labels (others ignored when `labels` leaves them out). */
export function sampleValue(text: PrometheusText, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = text.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => (s.labels[k] ?? '') === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}
