import { describe, expect, it } from 'vitest';
import { isNumberWord, lightStem } from '../../src/arabic/light-stem.js';

describe('lightStem', () => {
  it.each([
    ['والمسءوليه', 'مسءول'],
    ['لمساءلته', 'مساءلت'],
    ['بالرياض', 'رياض'],
    ['المملكه', 'مملك'],
    // Light means blunt: a root-initial waw goes too. Stems only excuse differences, never make a match.
    ['وزير', 'زير'],
    ['من', 'من'],
  ])('%s → %s', (word, stem) => {
    expect(lightStem(word)).toBe(stem);
  });
});

describe('isNumberWord', () => {
  it.each([
    ['1436', true],
    ['الثالثه', true],
    ['والثانيه', true],
    ['مليون', true],
    ['الوزير', false],
  ])('%s → %s', (word, expected) => {
    expect(isNumberWord(word)).toBe(expected);
  });
});
