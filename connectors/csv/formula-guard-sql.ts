/**
 * The CSV writer's spreadsheet formula guard as a SQL expression over text, for exports that
 * PostgreSQL writes itself (COPY): text starting with = + - @ tab or CR gets a leading
 * apostrophe unless the whole text is a decimal number. The number pattern is the writer's
 * PLAIN_NUMBER with [0-9] spelled out (PostgreSQL's \d follows the locale). ascii() reads the
 * first character's code without building a substring, and decides almost every row alone.
 */
export function formulaGuardSql(expr: string): string {
  return `(case when ascii(${expr}) in (61, 43, 45, 64, 9, 13) and (${expr}) !~ '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$' then '''' || (${expr}) else (${expr}) end)`;
}
