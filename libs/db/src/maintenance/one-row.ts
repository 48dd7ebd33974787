/** The row of a query that always returns exactly one (SELECT without FROM, aggregates). */
export function oneRow<T>(rows: T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('expected one row, the query returned none');
  return row;
}
