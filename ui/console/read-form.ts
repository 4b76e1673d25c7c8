import type { Context } from 'hono';

export type FormValues = Record<string, string | File | (string | File)[]>;

/**
 * The submitted form, with repeated names (checkboxes, multi-selects) as arrays. hono caches the
 * first parse of a body whatever options it was given, so every console reader goes through this
 * one call with the same options.
 */
export async function readForm(c: Context): Promise<FormValues> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  return (await c.req.parseBody({ all: true })) as FormValues;
}

/** One text value of a form (the first, if repeated); '' when absent. */
export function formText(form: FormValues, name: string): string {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Every text value of a repeated field. */
export function formList(form: FormValues, name: string): string[] {
  const value = form[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}
