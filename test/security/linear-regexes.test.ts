import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type Diagnostics } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * Every regular expression in src/ must run in linear time: khabar runs them on feed and page bytes from anyone, and
 * one super-linear pattern on a crafted feed freezes the event loop for minutes (`<?xml version="1.0"?>` + 30 spaces
 * + "x" once took 52 s in a sniffing regex). The patterns are read with the TypeScript compiler (regex literals,
 * RegExp(...) / new RegExp(...) with a literal pattern, and .match / .matchAll / .search with a string, which
 * JavaScript turns into a regex) and each is given to recheck, a static ReDoS checker that reports exponential and
 * polynomial backtracking as well as the quadratic cost of retrying a pattern from every start position.
 *
 * A flagged pattern is fixed: rewrite it (no nested or adjacent quantifiers that can match the same text, nothing
 * like /<[^>]*>/g or /\/+$/ that rescans a long run from each of its characters) or replace it with an indexOf scan.
 * Only a reviewed false positive goes in FALSE_POSITIVES, with the reason it cannot be slow where it is used.
 */

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const srcDir = join(root, 'src');

/** `file pattern` → why this pattern, flagged by the checker, is linear where the code runs it. */
const FALSE_POSITIVES: Record<string, string> = {
  'src/pipeline/public-address-guard.ts /(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)$/':
    'runs only on a string isIP() accepted as IPv6, at most 45 characters',
  'src/pipeline/parse-feed.ts /^\\S+@\\S+\\s+\\((.+)\\)$/': 'authorName cuts its input to MAX_AUTHOR_CHARS (500) first',
};

/**
 * Flagged patterns in files another change is rewriting for this same rule: true positives, to be fixed, then the
 * entry deleted. They are tolerated so that main stays green meanwhile; an entry whose pattern is gone is only
 * warned about, so the owner's fix does not have to touch this file. Never add a pattern of your own here.
 */
const PENDING_OWNER_FIX: Record<string, string> = {
};

interface Pattern {
  file: string;
  line: number;
  source: string;
  flags: string;
  key: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function isStringLiteral(node: ts.Node | undefined): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));
}

/** Every pattern of src/; a RegExp built from a non-literal is returned as an `unchecked` entry. */
function collectPatterns(): { patterns: Pattern[]; unchecked: string[] } {
  const patterns: Pattern[] = [];
  const unchecked: string[] = [];
  for (const path of sourceFiles(srcDir)) {
    const file = relative(root, path).split('\\').join('/');
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const add = (node: ts.Node, source: string, flags: string) =>
      patterns.push({ file, line: lineOf(node), source, flags, key: `${file} /${source}/${flags}` });
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = (node as ts.RegularExpressionLiteral).text;
        const end = text.lastIndexOf('/');
        add(node, text.slice(1, end), text.slice(end + 1));
      } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const [pattern, flags] = node.arguments ?? [];
        if (isStringLiteral(pattern) && (flags === undefined || isStringLiteral(flags))) add(node, pattern.text, flags?.text ?? '');
        else unchecked.push(`${file}:${lineOf(node)}: ${node.getText(sf)}`);
      } else if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ['match', 'matchAll', 'search'].includes(node.expression.name.text) &&
        isStringLiteral(node.arguments[0])
      ) {
        // String.prototype.match/matchAll/search compile a string argument as a regex.
        add(node, node.arguments[0].text, node.expression.name.text === 'matchAll' ? 'g' : '');
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { patterns, unchecked };
}

function describeResult(result: Diagnostics): string {
  if (result.status === 'vulnerable') return `${result.complexity.summary}, attack ${result.attack.pattern}`;
  if (result.status === 'unknown') return `checker gave up (${result.error.kind})`;
  return result.status;
}

describe('regular expressions in src/', () => {
  const { patterns, unchecked } = collectPatterns();

  it('are all literal, so that they can be checked', () => {
    expect(patterns.length).toBeGreaterThan(50); // the scan found the code
    expect(unchecked).toEqual([]);
  });

  it('run in linear time (recheck), apart from the reviewed false positives', { timeout: 300_000 }, async () => {
    const problems: string[] = [];
    const flaggedKeys = new Set<string>();
    const seen = new Set<string>();
    for (const pattern of patterns) {
      seen.add(pattern.key);
      // A fixed seed keeps the fuzzer (used where automata do not apply) repeatable.
      const result = await check(pattern.source, pattern.flags, { randomSeed: 1, timeout: 60_000 });
      if (result.status === 'safe') continue;
      flaggedKeys.add(pattern.key);
      if (pattern.key in FALSE_POSITIVES || pattern.key in PENDING_OWNER_FIX) continue;
      problems.push(`${pattern.file}:${pattern.line}: /${pattern.source}/${pattern.flags}: ${describeResult(result)}`);
    }
    for (const key of Object.keys(FALSE_POSITIVES)) {
      if (!seen.has(key)) problems.push(`FALSE_POSITIVES entry matches no pattern in src/ any more, remove it: ${key}`);
      else if (!flaggedKeys.has(key)) problems.push(`FALSE_POSITIVES entry is no longer flagged, remove it: ${key}`);
    }
    const gone = Object.keys(PENDING_OWNER_FIX).filter((key) => !flaggedKeys.has(key));
    if (gone.length > 0) console.warn(`linear-regexes: PENDING_OWNER_FIX entries fixed, remove them:\n  ${gone.join('\n  ')}`);
    expect(problems).toEqual([]);
  });
});
