import { describe, expect, it } from 'vitest';
import { MAPPING_SOURCE_ROOTS, mappingPaths, parseSourcePath, parseTemplate, pathRoot } from './mapping-paths.js';

describe('mapping paths', () => {
  it('lists the outbound roots', () => {
    expect(MAPPING_SOURCE_ROOTS).toEqual(['referral', 'member', 'reward', 'program', 'event']);
  });

  it('splits paths and finds their root', () => {
    expect(parseSourcePath('member.customFields.plan')).toEqual({ segments: ['member', 'customFields', 'plan'] });
    expect(parseSourcePath('event')).toEqual({ segments: ['event'] });
    expect(pathRoot('member.customFields.plan')).toBe('member');
    expect(pathRoot('event')).toBe('event');
  });

  it('splits templates into text and trimmed placeholder paths', () => {
    expect(parseTemplate('Hi {{ referral.firstName }}, code {{member.referralCode}}.')).toEqual({
      parts: [{ text: 'Hi ' }, { path: 'referral.firstName' }, { text: ', code ' }, { path: 'member.referralCode' }, { text: '.' }],
    });
    expect(parseTemplate('')).toEqual({ parts: [] });
    expect(parseTemplate('a }} b { c }')).toEqual({ parts: [{ text: 'a }} b { c }' }] });
    expect(parseTemplate('{{a.{b}}}')).toEqual({ error: 'template has an unclosed or malformed "{{" near "{{a.{b}}}"' });
  });

  it('collects every path an entry reads, with where it was found', () => {
    expect(mappingPaths({ template: '{{referral.firstName}} {{member.email}}', when: { source: 'event.type' } })).toEqual([
      { path: 'referral.firstName', field: 'template' },
      { path: 'member.email', field: 'template' },
      { path: 'event.type', field: 'when.source' },
    ]);
    expect(mappingPaths({ source: 'referral.email' })).toEqual([{ path: 'referral.email', field: 'source' }]);
    expect(mappingPaths({})).toEqual([]);
  });
});
