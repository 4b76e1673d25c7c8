import { describe, expect, it } from 'vitest';
import { INBOUND_SOURCE_ROOTS } from './mapping-paths.js';
import { createMappingSchema, mappingEntrySchema, mappingSchema } from './mapping-entry-schema.js';

/** Every issue as `path: message`, the shape the API turns into 422 details. */
function problems(
  schema: { safeParse(input: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } },
  input: unknown,
): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
}

const entryProblems = (input: unknown): string[] => problems(mappingEntrySchema, input);
const mappingProblems = (input: unknown): string[] => problems(mappingSchema, input);

describe('mappingEntrySchema', () => {
  it('accepts the design examples unchanged', () => {
    const entries = [
      { target: 'email', source: 'referral.email' },
      {
        target: 'gender',
        source: 'referral.customFields.gender',
        valueMap: { M: 'Male', F: 'Female' },
        noMatch: 'Other',
        empty: 'Unknown',
      },
      { target: 'signup_date', source: 'referral.createdAt', format: 'date:yyyy-MM-dd' },
      { target: 'origin', constant: 'referral-hub' },
    ];
    expect(mappingSchema.parse(entries)).toEqual(entries);
  });

  it('accepts every transform together', () => {
    const entry = {
      target: 'plan',
      source: 'member.customFields.plan',
      when: { source: 'event.type', equals: 'member.created' },
      valueMap: { pro: 'Professional', 1: true },
      noMatch: null,
      empty: 'none',
      format: 'boolean:yes/no',
      case: 'title',
    };
    expect(mappingEntrySchema.parse(entry)).toEqual(entry);
  });

  it('accepts each scalar kind as a constant, including null', () => {
    for (const constant of ['x', 0, -1.5, true, false, null]) {
      expect(entryProblems({ target: 't', constant })).toEqual([]);
    }
  });

  it('accepts templates with spaced placeholders and plain text', () => {
    expect(entryProblems({ target: 'name', template: '{{ referral.firstName }} {{referral.lastName}}' })).toEqual([]);
    expect(entryProblems({ target: 'note', template: 'no placeholders, just {braces}' })).toEqual([]);
  });

  it('requires a target', () => {
    expect(entryProblems({ source: 'referral.email' })).toEqual(['target: target is required']);
    expect(entryProblems({ target: 5, source: 'referral.email' })).toEqual(['target: target must be a string']);
    expect(entryProblems({ target: '', source: 'referral.email' })).toEqual(['target: target must not be empty']);
    expect(entryProblems({ target: 'x'.repeat(201), source: 'referral.email' })).toEqual(['target: target must be at most 200 characters']);
  });

  it('refuses unknown keys, including a mistyped transform', () => {
    expect(entryProblems({ target: 'email', source: 'referral.email', defualt: 'x' })).toEqual([': Unrecognized key: "defualt"']);
    expect(entryProblems({ target: 'email', source: 'referral.email', default: 'x' })).toEqual([': Unrecognized key: "default"']);
  });

  it('refuses a "__proto__" key in an entry rather than dropping it silently', () => {
    const raw = JSON.parse('{"target":"email","source":"referral.email","__proto__":{"polluted":true}}');
    expect(entryProblems(raw)).toEqual([': Unrecognized key: "__proto__"']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('requires exactly one value origin', () => {
    expect(entryProblems({ target: 'x' })).toEqual([': "x" needs exactly one of "source", "constant" or "template"']);
    expect(entryProblems({ target: 'x', source: 'referral.email', constant: 'a' })).toEqual([
      ': "x" takes exactly one of "source", "constant" or "template", got "source" and "constant"',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral.email', constant: null, template: 'a' })).toEqual([
      ': "x" takes exactly one of "source", "constant" or "template", got "source" and "constant" and "template"',
    ]);
  });

  it('refuses non-scalar constants and valueMap values', () => {
    expect(entryProblems({ target: 'x', constant: { a: 1 } })).toEqual(['constant: must be a string, a finite number, a boolean or null']);
    expect(entryProblems({ target: 'x', constant: [1] })).toEqual(['constant: must be a string, a finite number, a boolean or null']);
    expect(entryProblems({ target: 'x', source: 'referral.email', valueMap: { a: { b: 1 } } })).toEqual([
      'valueMap.a: must be a string, a finite number, a boolean or null',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral.email', valueMap: ['a'] })).toEqual([
      'valueMap: valueMap must be an object of value → replacement',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral.email', empty: [] })).toEqual([
      'empty: must be a string, a finite number, a boolean or null',
    ]);
  });

  it('refuses noMatch without valueMap', () => {
    expect(entryProblems({ target: 'x', source: 'referral.email', noMatch: 'Other' })).toEqual([
      'noMatch: "noMatch" only applies together with "valueMap"',
    ]);
  });

  it('refuses a "__proto__" target', () => {
    expect(entryProblems({ target: '__proto__', constant: 1 })).toEqual(['target: target "__proto__" is reserved']);
  });

  it('explains bad source paths', () => {
    expect(entryProblems({ target: 'x', source: '' })).toEqual(['source: source path is empty']);
    expect(entryProblems({ target: 'x', source: 'referral..email' })).toEqual([
      'source: source path "referral..email" has an empty segment (leading, trailing or doubled ".")',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral.email.' })).toEqual([
      'source: source path "referral.email." has an empty segment (leading, trailing or doubled ".")',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral.first name' })).toEqual([
      'source: source path "referral.first name" has an invalid segment "first name" (use letters, digits, "_", "$" or "-", separated by ".")',
    ]);
    expect(entryProblems({ target: 'x', source: 'referral[0]' })).toHaveLength(1);
    expect(entryProblems({ target: 'x', source: 42 })).toEqual(['source: must be a dotted path string like "referral.email"']);
  });

  it('refuses prototype paths with a clear message', () => {
    for (const segment of ['__proto__', 'constructor', 'prototype']) {
      expect(entryProblems({ target: 'x', source: `referral.${segment}.polluted` })).toEqual([
        `source: source path "referral.${segment}.polluted" uses "${segment}", which is not allowed`,
      ]);
    }
  });

  it('accepts non-ASCII custom field names and array indices', () => {
    expect(entryProblems({ target: 'x', source: 'referral.customFields.género' })).toEqual([]);
    expect(entryProblems({ target: 'x', source: 'referral.fraudFlags.0' })).toEqual([]);
  });

  it('explains bad templates', () => {
    expect(entryProblems({ target: 'x', template: 'Hi {{referral.firstName' })).toEqual([
      'template: template has an unclosed or malformed "{{" near "{{referral.firstName"',
    ]);
    expect(entryProblems({ target: 'x', template: 'Hi {{}}' })).toEqual(['template: template placeholder {{}}: source path is empty']);
    expect(entryProblems({ target: 'x', template: '{{referral.__proto__}}' })).toEqual([
      'template: template placeholder {{referral.__proto__}}: source path "referral.__proto__" uses "__proto__", which is not allowed',
    ]);
    expect(entryProblems({ target: 'x', template: '{{a}} then {{b' })).toEqual([
      'template: template has an unclosed or malformed "{{" near "{{b"',
    ]);
  });

  describe('when', () => {
    it('accepts each test', () => {
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.status', equals: 'approved' } })).toEqual([]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.status', equals: null } })).toEqual([]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.email', contains: '@acme' } })).toEqual([]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.email', exists: false } })).toEqual([]);
    });

    it('requires exactly one test', () => {
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.status' } })).toEqual([
        'when: when needs one test: "equals", "contains" or "exists"',
      ]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'referral.status', equals: 'a', exists: true } })).toEqual([
        'when: when takes exactly one test, got "equals" and "exists"',
      ]);
    });

    it('validates its parts', () => {
      expect(entryProblems({ target: 'x', constant: 1, when: { equals: 'a' } })).toEqual([
        'when.source: must be a dotted path string like "referral.email"',
      ]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'a.constructor', exists: true } })).toEqual([
        'when.source: source path "a.constructor" uses "constructor", which is not allowed',
      ]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'a.b', exists: 'yes' } })).toEqual([
        'when.exists: exists must be true or false',
      ]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'a.b', contains: null } })).toEqual([
        'when.contains: contains must be a string, number or boolean',
      ]);
      expect(entryProblems({ target: 'x', constant: 1, when: { source: 'a.b', matches: 'x' } })).toEqual([
        'when: Unrecognized key: "matches"',
        'when: when needs one test: "equals", "contains" or "exists"',
      ]);
    });
  });

  describe('format', () => {
    it('accepts every supported kind', () => {
      for (const format of [
        'date:yyyy-MM-dd',
        "date:yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
        'date:dd/MM/yyyy HH:mm',
        'number:0',
        'number:2',
        'number:20',
        'boolean:yes/no',
        'boolean:1/0',
        'boolean:Y/',
      ]) {
        expect(entryProblems({ target: 'x', source: 'a.b', format }), format).toEqual([]);
      }
    });

    it('names unknown date tokens', () => {
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'date:YYYY-MM-DD' })).toEqual([
        `format: date pattern "YYYY-MM-DD" has an unknown token "YYYY" (known tokens are yyyy, MM, dd, HH, mm, ss, SSS; put literal letters in single quotes, like 'T')`,
      ]);
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'date:yyyy-MM-ddTHH:mm' })[0]).toContain('unknown token "T"');
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'date:yy-MM-dd' })[0]).toContain('unknown token "yy"');
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'date:hh:mm' })[0]).toContain('unknown token "hh"');
      expect(entryProblems({ target: 'x', source: 'a.b', format: "date:yyyy 'at" })).toEqual([
        `format: date pattern "yyyy 'at" has an unterminated quote`,
      ]);
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'date:' })).toEqual([
        'format: date pattern is empty, e.g. "date:yyyy-MM-dd"',
      ]);
    });

    it('explains bad number and boolean formats', () => {
      for (const format of ['number:', 'number:-1', 'number:21', 'number:two', 'number:1.5']) {
        expect(entryProblems({ target: 'x', source: 'a.b', format }), format).toEqual([
          `format: number format needs a count of decimals from 0 to 20, like "number:2"; got "${format}"`,
        ]);
      }
      for (const format of ['boolean:yes', 'boolean:a/b/c']) {
        expect(entryProblems({ target: 'x', source: 'a.b', format }), format).toEqual([
          `format: boolean format needs exactly one "/" between the true and false texts, like "boolean:yes/no"; got "${format}"`,
        ]);
      }
    });

    it('refuses unknown format kinds', () => {
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'upper' })).toEqual([
        'format: format must be "date:<pattern>", "number:<decimals>" or "boolean:<trueText>/<falseText>"; got "upper"',
      ]);
      expect(entryProblems({ target: 'x', source: 'a.b', format: 'currency:USD' })[0]).toContain('got "currency:USD"');
    });
  });

  it('refuses an unknown case', () => {
    expect(entryProblems({ target: 'x', source: 'a.b', case: 'camel' })).toEqual(['case: case must be "upper", "lower" or "title"']);
  });
});

describe('mappingSchema', () => {
  it('refuses duplicate targets, pointing at the later entry', () => {
    expect(
      mappingProblems([
        { target: 'email', source: 'referral.email' },
        { target: 'name', source: 'referral.firstName' },
        { target: 'email', source: 'member.email' },
      ]),
    ).toEqual(['2.target: duplicate target "email" (already used by entry 0)']);
  });

  it('refuses unknown roots wherever a path appears', () => {
    expect(
      mappingProblems([
        { target: 'a', source: 'foo.bar' },
        { target: 'b', template: 'Hi {{referral.firstName}} from {{customer.name}}' },
        { target: 'c', constant: 1, when: { source: 'order.total', exists: true } },
        { target: 'd', source: 'event.type' },
      ]),
    ).toEqual([
      '0.source: "foo.bar" starts with unknown source "foo"; paths start with "referral", "member", "reward", "program", "event"',
      '1.template: "customer.name" starts with unknown source "customer"; paths start with "referral", "member", "reward", "program", "event"',
      '2.when.source: "order.total" starts with unknown source "order"; paths start with "referral", "member", "reward", "program", "event"',
    ]);
  });

  it('accepts every outbound root', () => {
    const roots = ['referral.email', 'member.customFields.plan', 'reward.amount', 'program.slug', 'event.timestamp'];
    expect(mappingProblems(roots.map((source, i) => ({ target: `f${i}`, source })))).toEqual([]);
  });

  it('reports entry problems with the entry index', () => {
    expect(
      mappingProblems([
        { target: 'ok', source: 'referral.email' },
        { target: 'bad', source: 'referral.email', format: 'date:DD' },
      ]),
    ).toEqual([
      `1.format: date pattern "DD" has an unknown token "DD" (known tokens are yyyy, MM, dd, HH, mm, ss, SSS; put literal letters in single quotes, like 'T')`,
    ]);
  });

  it('refuses empty, oversized and non-array mappings', () => {
    expect(mappingProblems([])).toEqual([': mapping needs at least one entry']);
    expect(mappingProblems({ target: 'a', constant: 1 })).toEqual([': mapping must be an array of entries']);
    const many = Array.from({ length: 501 }, (_, i) => ({ target: `f${i}`, constant: i }));
    expect(mappingProblems(many)).toEqual([': mapping has more than 500 entries']);
  });

  it('can be built for inbound bodies', () => {
    const inbound = createMappingSchema(INBOUND_SOURCE_ROOTS);
    expect(problems(inbound, [{ target: 'email', source: 'body.contact.email' }])).toEqual([]);
    expect(problems(inbound, [{ target: 'email', source: 'referral.email' }])).toEqual([
      '0.source: "referral.email" starts with unknown source "referral"; paths start with "body"',
    ]);
  });
});
