import { describe, expect, it } from 'vitest';
import { applyMapping, compileMapping } from './apply-mapping.js';
import { mappingSchema, type MappingEntry } from './mapping-entry-schema.js';

/** Parses like the API does, so every test also proves the entry is accepted as written. */
const map = (entries: unknown[], context: object): Record<string, unknown> => applyMapping(mappingSchema.parse(entries), context);
const one = (entry: Record<string, unknown>, context: object): unknown => map([{ target: 'out', ...entry }], context).out;

const referral = {
  id: 'ref_1',
  email: 'bob@example.com',
  firstName: 'bob',
  lastName: 'van der berg',
  status: 'pending',
  amount: 120,
  createdAt: '2024-03-05T22:30:15.042Z',
  customFields: { gender: 'M', vip: true, score: '7', plan: '' },
  fraudFlags: ['same_ip', 'disposable_email'],
};
const context = {
  referral,
  member: { id: 'mem_1', email: 'ann@example.com', customFields: { plan: 'pro' } },
  reward: { amount: 20, currency: 'USD' },
  program: { slug: 'acme' },
  event: { id: 'evt_1', type: 'referral.created', timestamp: new Date('2024-03-06T01:02:03.004Z') },
};

describe('applyMapping: design examples', () => {
  const gender = { source: 'referral.customFields.gender', valueMap: { M: 'Male', F: 'Female' }, noMatch: 'Other', empty: 'Unknown' };

  it('maps gender with valueMap, noMatch and empty', () => {
    const withGender = (value: unknown) => ({ referral: { customFields: value === undefined ? {} : { gender: value } } });
    expect(one(gender, withGender('M'))).toBe('Male');
    expect(one(gender, withGender('F'))).toBe('Female');
    expect(one(gender, withGender('X'))).toBe('Other');
    expect(one(gender, withGender(undefined))).toBe('Unknown');
    expect(one(gender, withGender(null))).toBe('Unknown');
    expect(one(gender, withGender(''))).toBe('Unknown');
    expect(one(gender, { referral: {} })).toBe('Unknown');
    expect(one(gender, {})).toBe('Unknown');
  });

  it('maps the whole connector example in entry order', () => {
    const out = map(
      [
        { target: 'email', source: 'referral.email' },
        { target: 'gender', ...gender },
        { target: 'signup_date', source: 'referral.createdAt', format: 'date:yyyy-MM-dd' },
        { target: 'origin', constant: 'referral-hub' },
      ],
      context,
    );
    expect(out).toEqual({ email: 'bob@example.com', gender: 'Male', signup_date: '2024-03-05', origin: 'referral-hub' });
    expect(Object.keys(out)).toEqual(['email', 'gender', 'signup_date', 'origin']);
  });
});

describe('applyMapping: origins', () => {
  it('reads nested sources from every root', () => {
    const out = map(
      [
        { target: 'plan', source: 'member.customFields.plan' },
        { target: 'amount', source: 'reward.amount' },
        { target: 'program', source: 'program.slug' },
        { target: 'type', source: 'event.type' },
        { target: 'flag', source: 'referral.fraudFlags.1' },
        { target: 'flags', source: 'referral.fraudFlags' },
      ],
      context,
    );
    expect(out).toEqual({
      plan: 'pro',
      amount: 20,
      program: 'acme',
      type: 'referral.created',
      flag: 'disposable_email',
      flags: ['same_ip', 'disposable_email'],
    });
  });

  it('gives null for a missing source without empty, and keeps an empty string', () => {
    expect(one({ source: 'referral.phone' }, context)).toBeNull();
    expect(one({ source: 'referral.customFields.plan' }, context)).toBe('');
    expect(one({ source: 'referral.email.length' }, context)).toBeNull();
  });

  it('passes constants of every scalar kind', () => {
    for (const constant of ['x', 0, true, false]) expect(one({ constant }, {})).toBe(constant);
    expect(one({ constant: null, empty: 'fallback' }, {})).toBe('fallback');
  });

  it('renders templates, with missing values as empty text', () => {
    expect(one({ template: '{{ referral.firstName }} <{{referral.email}}>' }, context)).toBe('bob <bob@example.com>');
    expect(one({ template: 'Hi {{referral.middleName}}!' }, context)).toBe('Hi !');
    expect(one({ template: '{{referral.amount}} / {{referral.customFields.vip}} / {{event.timestamp}}' }, context)).toBe(
      '120 / true / 2024-03-06T01:02:03.004Z',
    );
    expect(one({ template: '{{referral.fraudFlags}}' }, context)).toBe('["same_ip","disposable_email"]');
    expect(one({ template: '{{referral.missing}}', empty: 'none' }, context)).toBe('none');
    expect(one({ template: 'code {{referral.id}}', case: 'upper' }, context)).toBe('CODE REF_1');
  });
});

describe('applyMapping: when', () => {
  const status = (when: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    one({ source: 'referral.email', when, ...extra }, context);

  it('equals: passes the value when true, null or empty when false', () => {
    expect(status({ source: 'referral.status', equals: 'pending' })).toBe('bob@example.com');
    expect(status({ source: 'referral.status', equals: 'approved' })).toBeNull();
    expect(status({ source: 'referral.status', equals: 'approved' }, { empty: 'n/a' })).toBe('n/a');
  });

  it('equals: compares text and numbers/booleans loosely, everything else strictly', () => {
    expect(status({ source: 'referral.customFields.score', equals: 7 })).toBe('bob@example.com');
    expect(status({ source: 'referral.amount', equals: '120' })).toBe('bob@example.com');
    expect(status({ source: 'referral.customFields.vip', equals: 'true' })).toBe('bob@example.com');
    expect(status({ source: 'referral.customFields.vip', equals: true })).toBe('bob@example.com');
    expect(status({ source: 'referral.customFields.vip', equals: 1 })).toBeNull();
    expect(status({ source: 'referral.status', equals: 'Pending' })).toBeNull();
    expect(status({ source: 'referral.fraudFlags', equals: 'same_ip' })).toBeNull();
  });

  it('equals null matches a missing value only', () => {
    expect(status({ source: 'referral.phone', equals: null })).toBe('bob@example.com');
    expect(status({ source: 'referral.status', equals: null })).toBeNull();
  });

  it('equals compares dates by ISO text', () => {
    expect(status({ source: 'event.timestamp', equals: '2024-03-06T01:02:03.004Z' })).toBe('bob@example.com');
  });

  it('contains: substring of text, element of an array', () => {
    expect(status({ source: 'referral.email', contains: '@example.' })).toBe('bob@example.com');
    expect(status({ source: 'referral.email', contains: '@acme.' })).toBeNull();
    expect(status({ source: 'referral.fraudFlags', contains: 'same_ip' })).toBe('bob@example.com');
    expect(status({ source: 'referral.fraudFlags', contains: 'same' })).toBeNull();
    expect(one({ constant: 'yes', when: { source: 'referral.ids', contains: 3 } }, { referral: { ids: ['1', 3] } })).toBe('yes');
    expect(one({ constant: 'yes', when: { source: 'referral.amount', contains: 12 } }, context)).toBeNull();
    expect(status({ source: 'referral.phone', contains: 'x' })).toBeNull();
  });

  it('exists: true for a present value, false for missing, null or empty text', () => {
    expect(status({ source: 'referral.firstName', exists: true })).toBe('bob@example.com');
    expect(status({ source: 'referral.phone', exists: true })).toBeNull();
    expect(status({ source: 'referral.customFields.plan', exists: true })).toBeNull();
    expect(status({ source: 'referral.phone', exists: false })).toBe('bob@example.com');
    expect(status({ source: 'referral.firstName', exists: false })).toBeNull();
    expect(status({ source: 'referral.amount', exists: true })).toBe('bob@example.com');
    expect(one({ constant: 1, when: { source: 'referral.zero', exists: true } }, { referral: { zero: 0 } })).toBe(1);
  });

  it('a failed condition gives the literal empty value, untouched by format and case', () => {
    expect(
      one({ source: 'referral.firstName', when: { source: 'referral.status', equals: 'x' }, empty: 'none', case: 'upper' }, context),
    ).toBe('none');
  });
});

describe('applyMapping: valueMap', () => {
  it('matches on the text of numbers and booleans', () => {
    expect(one({ source: 'referral.amount', valueMap: { '120': 'big' } }, context)).toBe('big');
    expect(one({ source: 'referral.customFields.vip', valueMap: { true: 'VIP', false: 'regular' } }, context)).toBe('VIP');
  });

  it('passes an unmapped value through when there is no noMatch', () => {
    expect(one({ source: 'referral.status', valueMap: { approved: 'Won' } }, context)).toBe('pending');
  });

  it('uses noMatch for present values only, and for objects', () => {
    expect(one({ source: 'referral.status', valueMap: { approved: 'Won' }, noMatch: 'Open' }, context)).toBe('Open');
    expect(one({ source: 'referral.phone', valueMap: { a: 'b' }, noMatch: 'Open' }, context)).toBeNull();
    expect(one({ source: 'referral.fraudFlags', valueMap: { a: 'b' }, noMatch: 'Open' }, context)).toBe('Open');
  });

  it('can map to any scalar, including null', () => {
    expect(one({ source: 'referral.status', valueMap: { pending: null } }, context)).toBeNull();
    expect(one({ source: 'referral.status', valueMap: { pending: 0 } }, context)).toBe(0);
  });

  it('does not match inherited keys such as toString or constructor', () => {
    const entry = { source: 'referral.customFields.gender', valueMap: { M: 'Male' }, noMatch: 'Other' };
    for (const gender of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(one(entry, { referral: { customFields: { gender } } }), gender).toBe('Other');
    }
  });

  it('feeds mapped values into format and case', () => {
    expect(one({ source: 'referral.status', valueMap: { pending: true }, format: 'boolean:Yes/No', case: 'upper' }, context)).toBe('YES');
    expect(one({ source: 'referral.status', valueMap: { approved: 'x' }, noMatch: 'open lead', case: 'title' }, context)).toBe('Open Lead');
  });
});

describe('applyMapping: format', () => {
  const at = (value: unknown, format: string) => one({ source: 'referral.value', format }, { referral: { value } });

  it('formats ISO strings and Dates in UTC with every token and quoted literals', () => {
    const pattern = "date:yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";
    expect(at('2024-03-05T22:30:15.042Z', pattern)).toBe('2024-03-05T22:30:15.042Z');
    expect(at(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), pattern)).toBe('2024-01-02T03:04:05.006Z');
    expect(at('2024-03-05T23:30:00+02:00', 'date:dd/MM/yyyy HH:mm')).toBe('05/03/2024 21:30');
    expect(at('2024-03-05T23:30:00-0530', 'date:yyyy-MM-dd HH:mm')).toBe('2024-03-06 05:00');
    expect(at('2024-03-05', 'date:dd.MM.yyyy')).toBe('05.03.2024');
    expect(at('2024-03-05 07:08', "date:HH'h'mm")).toBe('07h08');
    expect(at('2024-03-05T07:08:09', "date:'at' HH:mm:ss, 'it''s' yyyy")).toBe("at 07:08:09, it's 2024");
    expect(at('2024-03-05T07:08:09.123456Z', 'date:ss.SSS')).toBe('09.123');
    expect(at('0099-12-31T00:00:00Z', 'date:yyyy')).toBe('0099');
  });

  it('reads offset-less date-times as UTC, whatever the server zone', () => {
    const previous = process.env.TZ;
    // Node re-reads TZ when it is assigned, so this runs the check in a zone far from UTC.
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date(2024, 6, 1).getTimezoneOffset()).toBe(240);
      expect(at('2024-07-01T00:30:00', 'date:yyyy-MM-dd HH:mm')).toBe('2024-07-01 00:30');
      expect(at('2024-07-01T00:30:00Z', 'date:yyyy-MM-dd HH:mm')).toBe('2024-07-01 00:30');
      expect(at(new Date(Date.UTC(2024, 6, 1, 0, 30)), 'date:yyyy-MM-dd HH:mm')).toBe('2024-07-01 00:30');
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('passes values it cannot read as dates through unchanged', () => {
    expect(at('not a date', 'date:yyyy')).toBe('not a date');
    expect(at('2024-02-30', 'date:yyyy')).toBe('2024-02-30');
    expect(at('2023-02-29', 'date:yyyy')).toBe('2023-02-29');
    expect(at('2024-02-29', 'date:dd')).toBe('29');
    expect(at('2024-13-01', 'date:yyyy')).toBe('2024-13-01');
    expect(at('2024-01-01T24:00:00Z', 'date:yyyy')).toBe('2024-01-01T24:00:00Z');
    expect(at(1709677815000, 'date:yyyy')).toBe(1709677815000);
    expect(at(true, 'date:yyyy')).toBe(true);
  });

  it('formats numbers with rounding half away from zero', () => {
    expect(at(3.14159, 'number:2')).toBe('3.14');
    expect(at(1.005, 'number:2')).toBe('1.01');
    expect(at(-1.005, 'number:2')).toBe('-1.01');
    expect(at(2.5, 'number:0')).toBe('3');
    expect(at(-2.5, 'number:0')).toBe('-3');
    expect(at(-0.001, 'number:2')).toBe('0.00');
    expect(at(7, 'number:3')).toBe('7.000');
    expect(at(1e-7, 'number:8')).toBe('0.00000010');
    expect(at(' 12.345 ', 'number:1')).toBe('12.3');
    expect(at('-4', 'number:1')).toBe('-4.0');
    expect(at('1e3', 'number:0')).toBe('1000');
    expect(at(1.2345678901234568e22, 'number:0')).toBe('1.2345678901234568e+22');
  });

  it('passes non-numbers through the number format unchanged', () => {
    expect(at('abc', 'number:2')).toBe('abc');
    expect(at('0x1F', 'number:2')).toBe('0x1F');
    expect(at(true, 'number:2')).toBe(true);
  });

  it('formats booleans and their text forms', () => {
    expect(at(true, 'boolean:yes/no')).toBe('yes');
    expect(at(false, 'boolean:yes/no')).toBe('no');
    expect(at('TRUE', 'boolean:1/0')).toBe('1');
    expect(at('false', 'boolean:1/0')).toBe('0');
    expect(at(false, 'boolean:x/')).toBe('');
    expect(at('maybe', 'boolean:yes/no')).toBe('maybe');
    expect(at(1, 'boolean:yes/no')).toBe(1);
  });

  it('does not format the empty fallback', () => {
    expect(one({ source: 'referral.missing', format: 'number:2', empty: 5 }, context)).toBe(5);
  });
});

describe('applyMapping: case', () => {
  it('upper, lower and title', () => {
    expect(one({ source: 'referral.lastName', case: 'upper' }, context)).toBe('VAN DER BERG');
    expect(one({ source: 'referral.email', case: 'upper' }, context)).toBe('BOB@EXAMPLE.COM');
    expect(one({ constant: 'MiXeD', case: 'lower' }, context)).toBe('mixed');
    expect(one({ source: 'referral.lastName', case: 'title' }, context)).toBe('Van Der Berg');
    expect(one({ constant: 'jean-luc ÉLODIE  o\u2019neil', case: 'title' }, context)).toBe('Jean-Luc Élodie  O\u2019neil');
  });

  it('leaves non-text values alone', () => {
    expect(one({ source: 'referral.amount', case: 'upper' }, context)).toBe(120);
    expect(one({ source: 'referral.customFields.vip', case: 'title' }, context)).toBe(true);
  });
});

describe('applyMapping: prototype safety', () => {
  it('reads inherited names as missing', () => {
    for (const source of [
      'referral.toString',
      'referral.hasOwnProperty',
      'referral.valueOf',
      'referral.fraudFlags.length',
      'referral.fraudFlags.map',
      'referral.email.length',
      'referral.email.0',
    ]) {
      expect(map([{ target: 'out', source, empty: 'missing' }], context).out, source).toBe('missing');
    }
  });

  it('refuses prototype paths even in entries that skipped the schema', () => {
    for (const source of ['referral.__proto__', 'referral.constructor', 'referral.constructor.prototype', 'program.__proto__.polluted']) {
      const unchecked: MappingEntry[] = [{ target: 'out', source }];
      expect(() => applyMapping(unchecked, context), source).toThrow('which is not allowed');
    }
    expect(() => applyMapping([{ target: 'out', template: '{{referral.__proto__.x}}' }], context)).toThrow('which is not allowed');
    expect(() => applyMapping([{ target: 'out', constant: 1, when: { source: 'referral.constructor', exists: true } }], context)).toThrow(
      'which is not allowed',
    );
  });

  it('ignores non-enumerable and inherited properties', () => {
    const hidden = Object.defineProperty({}, 'secret', { value: 's', enumerable: false });
    const child = Object.create({ inherited: 'i' }) as object;
    expect(applyMapping([{ target: 'out', source: 'referral.secret' }], { referral: hidden }).out).toBeNull();
    expect(applyMapping([{ target: 'out', source: 'referral.inherited' }], { referral: child }).out).toBeNull();
    expect(applyMapping([{ target: 'out', source: 'inherited.x' }], Object.create({ inherited: { x: 1 } }) as object).out).toBeNull();
  });

  it('never writes through a target name into a prototype', () => {
    const out = applyMapping(
      [
        { target: '__proto__', constant: 'x' },
        { target: 'constructor', constant: 'y' },
      ],
      {},
    );
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(out)).toBe('{"__proto__":"x","constructor":"y"}');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('drops a "__proto__" valueMap key without polluting anything', () => {
    const [entry] = mappingSchema.parse([
      JSON.parse('{"target":"g","source":"referral.g","valueMap":{"__proto__":{"polluted":"yes"},"a":"A"}}'),
    ]);
    expect(entry?.valueMap).toEqual({ a: 'A' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('compileMapping', () => {
  it('compiles once and maps many records', () => {
    const mapRecord = compileMapping(mappingSchema.parse([{ target: 'email', source: 'referral.email', case: 'upper' }]));
    expect([1, 2, 3].map((n) => mapRecord({ referral: { email: `u${n}@x.io` } }))).toEqual([
      { email: 'U1@X.IO' },
      { email: 'U2@X.IO' },
      { email: 'U3@X.IO' },
    ]);
  });

  it('throws a clear error for entries that skipped validation', () => {
    expect(() => compileMapping([{ target: 'd', source: 'referral.createdAt', format: 'date:YYYY' }])).toThrow(
      'mapping entry 0 ("d"): date pattern "YYYY" has an unknown token "YYYY"',
    );
    expect(() => compileMapping([{ target: 'e' }])).toThrow(
      'mapping entry 0 ("e"): needs exactly one of "source", "constant" or "template"',
    );
    expect(() =>
      compileMapping([
        { target: 'a', constant: 1 },
        { target: 'b', source: 'a..b' },
      ]),
    ).toThrow('mapping entry 1 ("b"): source path "a..b" has an empty segment');
    expect(() => compileMapping([{ target: 'w', constant: 1, when: { source: 'a.b' } }])).toThrow(
      'mapping entry 0 ("w"): when needs one test',
    );
  });
});
