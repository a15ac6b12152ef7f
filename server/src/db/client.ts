import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { Pool, types } from 'pg'

// bigint columns (int8) come back as strings by default; our ledgers stay far below 2^53, so parse them.
types.setTypeParser(types.builtins.INT8, (v) => Number(v))

// Without the relational query API (db.query.*, unused here): drizzle builds one query builder per
// table for every transaction it opens when given the schema, a measurable cost on every draw.
export type Db = NodePgDatabase & { $client: Pool }
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
/** Repos take either: the caller decides the transaction. */
export type DbOrTx = Db | Tx

export type Database = { db: Db; pool: Pool; url: string; close(): Promise<void> }

export function createDatabase(url: string, max = 20): Database {
  const pool = new Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 })
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined)
  const db = drizzle(pool)
  return { db, pool, url, close: () => pool.end() }
}
