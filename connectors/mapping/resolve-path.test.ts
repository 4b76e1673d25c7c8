import { describe, expect, it } from 'vitest';
import { resolvePath } from './resolve-path.js';

describe('resolvePath', () => {
  const data = { a: { b: { c: 1 }, list: ['x', { y: 2 }], nil: null, zero: 0 } };

  it('follows own keys and array indices', () => {
    expect(resolvePath(data, ['a', 'b', 'c'])).toBe(1);
    expect(resolvePath(data, ['a', 'list', '1', 'y'])).toBe(2);
    expect(resolvePath(data, ['a', 'zero'])).toBe(0);
    expect(resolvePath(data, ['a', 'nil'])).toBeNull();
    expect(resolvePath(data, [])).toBe(data);
  });

  it('stops at missing keys, null and primitives', () => {
    expect(resolvePath(data, ['a', 'missing', 'c'])).toBeUndefined();
    expect(resolvePath(data, ['a', 'nil', 'c'])).toBeUndefined();
    expect(resolvePath(data, ['a', 'b', 'c', 'd'])).toBeUndefined();
    expect(resolvePath(data, ['a', 'list', '2'])).toBeUndefined();
    expect(resolvePath('text', ['length'])).toBeUndefined();
    expect(resolvePath(null, ['a'])).toBeUndefined();
  });

  it('never reaches the prototype chain or non-enumerable properties', () => {
    for (const path of [
      ['__proto__'],
      ['constructor'],
      ['constructor', 'prototype'],
      ['toString'],
      ['a', '__proto__'],
      ['a', 'list', 'length'],
      ['a', 'list', 'push'],
      ['a', 'hasOwnProperty'],
    ]) {
      expect(resolvePath(data, path), path.join('.')).toBeUndefined();
    }
    expect(resolvePath(Object.create({ inherited: 1 }), ['inherited'])).toBeUndefined();
    expect(resolvePath(Object.defineProperty({}, 'hidden', { value: 1 }), ['hidden'])).toBeUndefined();
    expect(resolvePath({ d: new Date(0) }, ['d', 'getTime'])).toBeUndefined();
  });

  it('reads own data keys that happen to carry prototype names', () => {
    const parsed = JSON.parse('{"__proto__":{"x":"own"},"constructor":"own ctor"}') as unknown;
    expect(resolvePath(parsed, ['__proto__', 'x'])).toBe('own');
    expect(resolvePath(parsed, ['constructor'])).toBe('own ctor');
  });
});
