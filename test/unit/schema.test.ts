// @vitest-environment node
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_KINDS, TRIGGER_KINDS } from '../../src/model/types.js';
import { authoringSchema } from '../../src/schema.js';
import { documentWith } from './fixtures.js';

const schema = authoringSchema();
const ajv = new Ajv2020({ allErrors: true, strict: false });
const check = ajv.compile(schema);

describe('the JSON Schema', () => {
  it('is the one shipped in the package', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../schema/workflow.schema.json', import.meta.url), 'utf8'));
    expect(shipped).toEqual(schema);
  });

  it('accepts a valid document', () => {
    expect(check(documentWith()), JSON.stringify(check.errors)).toBe(true);
  });

  it('knows every node and trigger kind of the model', () => {
    const defs = (schema as any).$defs;
    expect(defs.node.oneOf.map((n: any) => n.properties.kind.const)).toEqual([...NODE_KINDS]);
    expect(defs.trigger.oneOf.map((t: any) => t.properties.on.const)).toEqual([...TRIGGER_KINDS]);
  });

  it('rejects unknown kinds and fields', () => {
    const doc = structuredClone(documentWith()) as any;
    doc.workflows[0].nodes[1].kind = 'popup';
    expect(check(doc)).toBe(false);
    const doc2 = structuredClone(documentWith()) as any;
    doc2.workflows[0].colour = 'red';
    expect(check(doc2)).toBe(false);
  });
});
