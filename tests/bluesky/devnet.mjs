// A throwaway local Bluesky network for tests: PLC + PDS + AppView (bsky, with its dataplane and bsync) and
// Ozone, from @atproto/dev-env's TestNetwork.
//
//   node devnet.mjs            (from tests/bluesky/network.py, which installs node_modules into a cache dir
//                               and passes it as GS_DEVNET_MODULES)
//
// * every server listens on 127.0.0.1 only (dev-env calls app.listen(port), i.e. all interfaces, so
//   net.Server#listen is wrapped to add the host) on a free port;
// * the AppView and Ozone need PostgreSQL: a dedicated database gs_bsky_<random> is created on
//   GS_DEVNET_PG (default postgres://postgres@127.0.0.1:5432/postgres) and dropped on exit;
// * dev-env asserts REDIS_HOST is set (nothing in this version connects to it): 127.0.0.1:6379;
// * when ready it prints ONE JSON line on stdout: {"pds": ..., "plc": ..., "appview": ..., ...};
//   everything else (logs) goes to stderr;
// * SIGTERM / SIGINT / stdin closing: close the servers, drop the database, exit 0.

import dns from 'node:dns'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'

const HOST = '127.0.0.1'
const started = Date.now()
const log = (...args) => console.error(`[devnet +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args)

// --- bind everything to loopback ---------------------------------------------------------------------
dns.setDefaultResultOrder('ipv4first') // dev-env's URLs say "localhost"
const originalListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const first = args[0]
  if (args.length === 0 || typeof first === 'function') {
    args.unshift(0, HOST)
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (args.length === 1 || typeof args[1] !== 'string') args.splice(1, 0, HOST)
  } else if (first && typeof first === 'object' && !first.path && !first.host && !first.fd && !first._handle) {
    args[0] = { ...first, host: HOST }
  }
  return originalListen.apply(this, args)
}

// --- the modules live in the cache dir, not next to this script -----------------------------------------
const here = path.dirname(fileURLToPath(import.meta.url))
const modulesRoot = process.env.GS_DEVNET_MODULES || here
const require = createRequire(path.join(modulesRoot, 'package.json'))

// dev-env writes PDS data and blobs into os.tmpdir(): give it a private one and remove it at the end.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-bsky-'))
process.env.TMPDIR = tmp

const adminUrl = process.env.GS_DEVNET_PG || `postgres://postgres@${HOST}:5432/postgres`
const dbName = `gs_bsky_${crypto.randomBytes(6).toString('hex')}`
const dbUrl = new URL(adminUrl)
dbUrl.pathname = `/${dbName}`
process.env.REDIS_HOST = process.env.REDIS_HOST || `${HOST}:6379`
process.env.LOG_ENABLED = process.env.LOG_ENABLED || 'false'

const pg = require('pg')

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

let network = null
let dbCreated = false
let stopping = null

async function stop(code) {
  if (stopping) return stopping
  stopping = (async () => {
    log('stopping')
    const timer = setTimeout(() => {
      log('close timed out; exiting')
      process.exit(code || 1)
    }, 20000)
    try {
      if (network) await network.close()
    } catch (err) {
      log('close failed:', err)
    }
    if (dbCreated) {
      try {
        await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
      } catch (err) {
        log('dropping the database failed:', err)
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true })
    clearTimeout(timer)
    log('stopped')
    process.exit(code)
  })()
  return stopping
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => stop(0))
// The parent (pytest) holds our stdin: if it goes away without signalling, stop too.
if (process.env.GS_DEVNET_WATCH_STDIN !== '0') {
  process.stdin.on('end', () => stop(0))
  process.stdin.on('error', () => stop(0))
  process.stdin.resume()
}

try {
  await adminQuery(`CREATE DATABASE "${dbName}"`)
  dbCreated = true
  log('database', dbName)
  const { TestNetwork } = require('@atproto/dev-env')
  network = await TestNetwork.create({ dbPostgresUrl: dbUrl.toString(), dbPostgresSchema: 'gs' })
  const loopback = (url) => url.replace('://localhost:', `://${HOST}:`)
  const info = {
    pds: loopback(network.pds.url),
    plc: loopback(network.plc.url),
    appview: loopback(network.bsky.url),
    ozone: loopback(network.ozone.url),
    pds_did: network.pds.ctx.cfg.service.did,
    appview_did: network.bsky.ctx.cfg.serverDid,
    handle_domain: '.test',
    admin_password: 'admin-pass',
    jwt_secret: 'jwt-secret',
    database: dbName,
    pid: process.pid,
    startup_seconds: (Date.now() - started) / 1000,
  }
  log('ready', JSON.stringify(info))
  process.stdout.write(JSON.stringify(info) + '\n')
} catch (err) {
  log('start failed:', err)
  await stop(1)
}
