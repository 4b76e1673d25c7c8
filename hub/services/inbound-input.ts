import type { z } from 'zod';
import { INBOUND_INPUT_SCHEMAS, type InboundAction } from '../contracts/inbound-connector-contract.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';

export type InboundInput = { [A in InboundAction]: { action: A; input: z.infer<(typeof INBOUND_INPUT_SCHEMAS)[A]> } }[InboundAction];

// Form posts and many senders give amounts as text ("49.90").
const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Turns a mapped record (`{"email": …, "customFields.plan": …, "referral.email": …}`) into the
 * request of the connector's action and parses it with the API's own schema, so an inbound body
 * obeys exactly the rules of `POST /api/v1/members`, `/conversions` or `/events`.
 * Throws ApiError validation_failed naming the target fields.
 */
export function inboundInput(action: InboundAction, programId: string, mapped: Record<string, unknown>): InboundInput {
  const input: Record<string, unknown> = { programId };
  for (const [target, raw] of Object.entries(mapped)) {
    // Absent from this body: the field is not given, so optional fields stay optional.
    if (raw === null || raw === undefined || raw === '') continue;
    const value = target === 'amount' && typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : raw;
    const dot = target.indexOf('.');
    if (dot < 0) {
      setOwn(input, target, value);
      continue;
    }
    const group = target.slice(0, dot);
    const existing = input[group];
    const members: Record<string, unknown> = existing !== null && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
    setOwn(members, target.slice(dot + 1), value);
    setOwn(input, group, members);
  }
  // Reports and rules can tell webhook conversions apart unless the mapping names a source.
  if (action === 'conversion' && input.source === undefined) input.source = 'webhook';

  const parsed = INBOUND_INPUT_SCHEMAS[action].safeParse(input);
  if (!parsed.success) {
    throw new ApiError('validation_failed', `The mapped body is not a valid ${action}`, issuesToDetails(parsed.error.issues));
  }
  return { action, input: parsed.data } as InboundInput;
}
