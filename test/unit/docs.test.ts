// @vitest-environment node
/** Every authoring document shown in the README and docs/ must be valid: examples that actually work. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/model/problems.js';
import { validateDocument } from '../../src/validate/validate.js';
import { COMPILED_VERSION } from '../../src/compile/types.js';

const root = new URL('../../', import.meta.url);
const files = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function jsonBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('documentation examples', () => {
  for (const file of files) {
    const blocks = jsonBlocks(readFileSync(new URL(file, root), 'utf8'));
    blocks.forEach((text, i) => {
      let doc: any;
      try {
        doc = JSON.parse(text);
      } catch {
        return; // fragments with comments or ellipses are illustrations, not documents
      }
      // Whole documents, and promotion or segment snippets wrapped into one.
      if (doc?.format !== 'workflows/authoring') {
        if (Array.isArray(doc?.steps)) doc = { promotions: [doc] };
        else if (doc?.kind === 'rule' || doc?.kind === 'manual') doc = { segments: [doc] };
        else return;
      }
      it(`${file} example ${i + 1} is valid`, () => {
        const errors = validateDocument(doc, file).filter((p) => p.severity === 'error');
        expect(errors.map(formatProblem)).toEqual([]);
      });
    });
  }

  it('names the compiled version this release writes', () => {
    const server = readFileSync(new URL('docs/server.md', root), 'utf8');
    expect(server.match(/this release: (\d+)/)?.[1]).toBe(String(COMPILED_VERSION));
    const format = jsonBlocks(readFileSync(new URL('docs/format.md', root), 'utf8')).map((t) => JSON.parse(t)).find((d) => d.format === 'workflows/compiled');
    expect(format.version).toBe(COMPILED_VERSION);
  });

  it('finds the README example', () => {
    const readme = jsonBlocks(readFileSync(new URL('README.md', root), 'utf8')).filter((t) => t.includes('"workflows/authoring"'));
    expect(readme.length).toBeGreaterThan(0);
  });
});
