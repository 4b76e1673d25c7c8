import { z } from 'zod';
import { compileFormat } from './compile-format.js';
import { MAPPING_SOURCE_ROOTS, mappingPaths, parseSourcePath, parseTemplate, pathRoot } from './mapping-paths.js';

/**
 * One field of a field mapping: a target fed by exactly one of `source`,
 * `constant` or `template`, then transformed in this order: `when`, `empty`, `valueMap`/`noMatch`,
 * `format`, `case`. The schema keeps the stored shape as-is (no transforms), so what the API
 * accepts is exactly what it returns; apply-mapping compiles it per use.
 */

const MAX_TARGET_LENGTH = 200;
/** Bounds the work done per record; far above any real destination's field count. */
export const MAX_MAPPING_ENTRIES = 500;

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, a finite number, a boolean or null',
});

const sourcePathSchema = z
  .string({ error: 'must be a dotted path string like "referral.email"' })
  .superRefine((path, ctx) => {
    const parsed = parseSourcePath(path);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .describe('Dotted path into the record, such as referral.email or member.customFields.plan');

const templateSchema = z
  .string({ error: 'template must be a string' })
  .superRefine((template, ctx) => {
    const parsed = parseTemplate(template);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .describe('Text with {{path}} placeholders, such as "{{referral.firstName}} {{referral.lastName}}"');

const formatSchema = z
  .string({ error: 'format must be a string' })
  .superRefine((spec, ctx) => {
    const compiled = compileFormat(spec);
    if ('error' in compiled) ctx.addIssue({ code: 'custom', message: compiled.error });
  })
  .describe(
    "date:<pattern> (tokens yyyy MM dd HH mm ss SSS, UTC, literal letters in quotes: yyyy-MM-dd'T'HH:mm), number:<decimals> or boolean:<trueText>/<falseText>",
  );

export const mappingConditionSchema = z
  .object({
    source: sourcePathSchema,
    equals: scalarSchema.optional(),
    contains: z.union([z.string(), z.number(), z.boolean()], { error: 'contains must be a string, number or boolean' }).optional(),
    exists: z.boolean({ error: 'exists must be true or false' }).optional(),
  })
  .strict()
  .superRefine((when, ctx) => {
    const tests = (['equals', 'contains', 'exists'] as const).filter((key) => when[key] !== undefined);
    if (tests.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          tests.length === 0
            ? 'when needs one test: "equals", "contains" or "exists"'
            : `when takes exactly one test, got ${tests.map((t) => `"${t}"`).join(' and ')}`,
      });
    }
  });

export const mappingEntrySchema = z
  .object({
    target: z
      .string({ error: (issue) => (issue.input === undefined ? 'target is required' : 'target must be a string') })
      .min(1, 'target must not be empty')
      .max(MAX_TARGET_LENGTH, `target must be at most ${MAX_TARGET_LENGTH} characters`),
    source: sourcePathSchema.optional(),
    constant: scalarSchema.optional(),
    template: templateSchema.optional(),
    when: mappingConditionSchema.optional(),
    valueMap: z.record(z.string(), scalarSchema, { error: 'valueMap must be an object of value → replacement' }).optional(),
    noMatch: scalarSchema.optional(),
    empty: scalarSchema.optional(),
    format: formatSchema.optional(),
    case: z.enum(['upper', 'lower', 'title'], { error: 'case must be "upper", "lower" or "title"' }).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const origins = (['source', 'constant', 'template'] as const).filter((key) => entry[key] !== undefined);
    if (origins.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          origins.length === 0
            ? `"${entry.target}" needs exactly one of "source", "constant" or "template"`
            : `"${entry.target}" takes exactly one of "source", "constant" or "template", got ${origins.map((o) => `"${o}"`).join(' and ')}`,
      });
    }
    if (entry.noMatch !== undefined && entry.valueMap === undefined) {
      ctx.addIssue({ code: 'custom', path: ['noMatch'], message: '"noMatch" only applies together with "valueMap"' });
    }
    // Assigning this key on a plain object would replace its prototype in consumers that copy with `=`.
    if (entry.target === '__proto__') {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'target "__proto__" is reserved' });
    }
  });

/**
 * A whole mapping whose paths must start at one of `roots`. Targets must be unique: with
 * "last wins" a second entry would silently shadow the first in JSON and duplicate a CSV column.
 */
export function createMappingSchema(roots: readonly string[] = MAPPING_SOURCE_ROOTS) {
  const allowed = new Set(roots);
  const rootList = roots.map((r) => `"${r}"`).join(', ');
  return z
    .array(mappingEntrySchema, { error: 'mapping must be an array of entries' })
    .min(1, 'mapping needs at least one entry')
    .max(MAX_MAPPING_ENTRIES, `mapping has more than ${MAX_MAPPING_ENTRIES} entries`)
    .superRefine((entries, ctx) => {
      const firstIndex = new Map<string, number>();
      entries.forEach((entry, index) => {
        const first = firstIndex.get(entry.target);
        if (first === undefined) firstIndex.set(entry.target, index);
        else {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'target'],
            message: `duplicate target "${entry.target}" (already used by entry ${first})`,
          });
        }
        for (const use of mappingPaths(entry)) {
          const root = pathRoot(use.path);
          if (!allowed.has(root)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, ...use.field.split('.')],
              message: `"${use.path}" starts with unknown source "${root}"; paths start with ${rootList}`,
            });
          }
        }
      });
    });
}

/** Mappings for outbound deliveries, scheduled files, exports and previews. */
export const mappingSchema = createMappingSchema(MAPPING_SOURCE_ROOTS);

export type MappingEntry = z.infer<typeof mappingEntrySchema>;
export type MappingEntryInput = z.input<typeof mappingEntrySchema>;
export type MappingCondition = z.infer<typeof mappingConditionSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
export type MappingScalar = z.infer<typeof scalarSchema>;
