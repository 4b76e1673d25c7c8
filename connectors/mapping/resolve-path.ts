/**
 * Reads `referral.customFields.gender` from a context object. Only own enumerable keys are
 * followed: mappings come from users, and `x.__proto__`, `x.constructor` or `toString` must
 * read as missing rather than reach into Object.prototype or functions. Array indices are own
 * enumerable keys, so `items.0` works while `items.length` does not.
 */
export function resolvePath(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.propertyIsEnumerable.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
