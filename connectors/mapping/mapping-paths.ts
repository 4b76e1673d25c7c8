/**
 * Source paths a field mapping may read: `referral.email`,
 * `member.customFields.plan`, `event.type`, and the `{{...}}` placeholders of templates.
 */

/** Roots of the context outbound deliveries, exports and previews map from. */
export const MAPPING_SOURCE_ROOTS = ['referral', 'member', 'reward', 'program', 'event'] as const;

/** Inbound webhooks map the posted JSON, which is exposed under `body`. */
export const INBOUND_SOURCE_ROOTS = ['body'] as const;

/**
 * Names that lead into an object's prototype chain rather than its data. Resolution only
 * follows own enumerable keys anyway; refusing them up front gives the user a clear message.
 */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

// Letters and digits in any script (custom field names are not always ASCII), `_`, `$`, `-`.
// Digits alone index arrays (`items.0`).
const SEGMENT = /^[\p{L}\p{N}_$-]+$/u;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Splits a dotted path, or returns why it is not one. */
export function parseSourcePath(path: string): { segments: string[] } | { error: string } {
  if (path.length === 0) return { error: 'source path is empty' };
  const segments = path.split('.');
  for (const segment of segments) {
    if (segment.length === 0) {
      return { error: `source path "${path}" has an empty segment (leading, trailing or doubled ".")` };
    }
    if (FORBIDDEN_SEGMENTS.has(segment)) {
      return { error: `source path "${path}" uses "${segment}", which is not allowed` };
    }
    if (!SEGMENT.test(segment)) {
      return {
        error: `source path "${path}" has an invalid segment "${segment}" (use letters, digits, "_", "$" or "-", separated by ".")`,
      };
    }
  }
  return { segments };
}

/** One piece of a parsed template: literal text or a placeholder path (trimmed). */
export type TemplatePart = { text: string } | { path: string };

/**
 * Splits `Hi {{ referral.firstName }}!` into literal and placeholder parts. Every `{{` must
 * open a valid placeholder: a half-written one is almost always a typo, so it is refused rather
 * than sent to the destination verbatim.
 */
export function parseTemplate(template: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const start = match.index;
    const literal = template.slice(last, start);
    if (literal.includes('{{'))
      return { error: `template has an unclosed or malformed "{{" near "${literal.slice(literal.indexOf('{{'))}"` };
    if (literal.length > 0) parts.push({ text: literal });
    const path = (match[1] ?? '').trim();
    const parsed = parseSourcePath(path);
    if ('error' in parsed) return { error: `template placeholder {{${match[1] ?? ''}}}: ${parsed.error}` };
    parts.push({ path });
    last = start + match[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes('{{')) return { error: `template has an unclosed or malformed "{{" near "${rest.slice(rest.indexOf('{{'))}"` };
  if (rest.length > 0) parts.push({ text: rest });
  return { parts };
}

/** The parts of a mapping entry that name source paths (structural, so no schema import is needed). */
export interface PathBearingEntry {
  source?: string | undefined;
  template?: string | undefined;
  when?: { source: string } | undefined;
}

/** Where in an entry a path was found, for error paths such as `[2, "when", "source"]`. */
export interface MappingPathUse {
  path: string;
  field: 'source' | 'template' | 'when.source';
}

/** Every source path one entry reads: its source, its condition's source and its template placeholders. */
export function mappingPaths(entry: PathBearingEntry): MappingPathUse[] {
  const uses: MappingPathUse[] = [];
  if (entry.source !== undefined) uses.push({ path: entry.source, field: 'source' });
  if (entry.template !== undefined) {
    const parsed = parseTemplate(entry.template);
    if ('parts' in parsed) {
      for (const part of parsed.parts) if ('path' in part) uses.push({ path: part.path, field: 'template' });
    }
  }
  if (entry.when !== undefined) uses.push({ path: entry.when.source, field: 'when.source' });
  return uses;
}

/** The root of a path (`referral` for `referral.customFields.gender`). */
export function pathRoot(path: string): string {
  const dot = path.indexOf('.');
  return dot === -1 ? path : path.slice(0, dot);
}
