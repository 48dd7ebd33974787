/**
 * A connection (usually inside a transaction) that runs SQL. The db lib provides it from its transactions; the queue
 * lib takes it so that a pg-boss job is written in the same transaction as the `jobs` row, without either lib
 * importing the other.
 */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}
