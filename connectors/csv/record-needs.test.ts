import { describe, expect, it } from 'vitest';
import { recordNeeds } from './record-needs.js';

describe('recordNeeds', () => {
  it('collects the record fields read by sources, templates and conditions', () => {
    expect(
      recordNeeds(
        [
          { target: 'E', source: 'referral.email' },
          { target: 'Plan', source: 'referral.customFields.plan' },
          { target: 'Name', template: '{{referral.firstName}} {{referral.lastName}}' },
          { target: 'Paid', constant: 'yes', when: { source: 'referral.status', equals: 'paid' } },
        ],
        'referral',
      ),
    ).toEqual({ fields: ['email', 'customFields', 'firstName', 'lastName', 'status'], member: false });
  });

  it('needs the referrer only when a member path is read', () => {
    expect(recordNeeds([{ target: 'R', source: 'member.email' }], 'referral')).toEqual({ fields: [], member: true });
    expect(recordNeeds([{ target: 'R', template: 'by {{member.referralCode}}' }], 'reward').member).toBe(true);
  });

  it('for member records, member.* paths are the record itself, not a referrer', () => {
    expect(
      recordNeeds(
        [
          { target: 'E', source: 'member.email' },
          { target: 'T', source: 'member.customFields.tier' },
        ],
        'member',
      ),
    ).toEqual({ fields: ['email', 'customFields'], member: false });
  });

  it('a path naming the whole record needs every field', () => {
    expect(
      recordNeeds(
        [
          { target: 'All', source: 'referral' },
          { target: 'E', source: 'referral.email' },
        ],
        'referral',
      ).fields,
    ).toBe('all');
  });

  it('paths of other roots (event, program) read nothing of the record', () => {
    expect(
      recordNeeds(
        [
          { target: 'T', source: 'event.type' },
          { target: 'P', source: 'program.name' },
        ],
        'referral',
      ),
    ).toEqual({ fields: [], member: false });
  });
});
