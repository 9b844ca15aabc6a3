'use strict'
/**
 * The demo ops-center service: the seed's flag API, /health, the old and the new LLM pages, and
 * traffic of its own, logged as one JSON event per line on stdout and counted at /metrics. Operator
 * messages go to stderr. Plain Node 18; its one package, prom-client, is Rampart's own dependency.
 * Settings come from the environment; see README.md beside this file.
 */

const http = require('node:http')
const { randomBytes, timingSafeEqual } = require('node:crypto')
const { SEED_FLAGS, EnvFileError, readFlagsFromEnvFile } = require('./env-flags.js')
const { FaultSettingsError, applyFaultChange, defaultFaults } = require('./fault-settings.js')
const { FlagStore } = require('./flag-store.js')
const { createMetrics } = require('./metrics.js')
const { llmHubPage, oldProviderKeysPage } = require('./pages.js')
const { createRandom } = require('./seeded-random.js')
const { TrafficGenerator, simulatedUsers } = require('./traffic-generator.js')

const FEATURES_PREFIX = '/api/v1/features'
const MAX_BODY_BYTES = 64 * 1024
const EXIT_DEADLINE_MS = 2000

class SettingError extends Error {}

function readSettings(env) {
  const integer = (name, fallback, min, max) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new SettingError(`${name}=${text} is not a whole number from ${min} to ${max}`)
    }
    return Number(text)
  }
  const number = (name, fallback, min, max) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max)
      throw new SettingError(`${name}=${text} is not a number from ${min} to ${max}`)
    return value
  }
  const json = (name, fallback) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new SettingError(`${name} is not valid JSON: ${error.message}`)
    }
  }
  const flagVariables = json('DEMO_FLAGS', SEED_FLAGS)
  if (typeof flagVariables !== 'object' || flagVariables === null || Object.keys(flagVariables).length === 0) {
    throw new SettingError(
      'DEMO_FLAGS must be a JSON object: flag name → {"enabled":"VAR","rollout_percentage":"VAR",…}'
    )
  }
  const trafficFlag = env.DEMO_TRAFFIC_FLAG || Object.keys(flagVariables)[0]
  if (!Object.hasOwn(flagVariables, trafficFlag)) {
    throw new SettingError(
      `DEMO_TRAFFIC_FLAG=${trafficFlag} is not one of the flags (${Object.keys(flagVariables).join(', ')})`
    )
  }
  let faults
  try {
    faults = applyFaultChange(defaultFaults(), json('DEMO_FAULTS', {}), 'DEMO_FAULTS')
  } catch (error) {
    if (error instanceof FaultSettingsError) throw new SettingError(error.message)
    throw error
  }
  return {
    envFile: env.DEMO_ENV_FILE || '/config/.env',
    // The name the operator knows the file by (its path on the host), for messages.
    envFileOrigin: env.DEMO_ENV_FILE_ORIGIN || env.DEMO_ENV_FILE || '/config/.env',
    host: env.DEMO_HOST || '127.0.0.1',
    port: integer('DEMO_PORT', 8084, 0, 65535),
    users: integer('DEMO_USERS', 2000, 0, 1000000),
    rps: number('DEMO_RPS', 50, 0, 100000),
    seed: env.DEMO_SEED || randomBytes(8).toString('hex'),
    flagVariables,
    trafficFlag,
    faults,
    flagEventEvery: integer('DEMO_FLAG_EVENT_EVERY', 10, 0, 1000000),
    adminToken: env.DEMO_ADMIN_TOKEN || null,
    instance: env.DEMO_INSTANCE || randomBytes(8).toString('hex')
  }
}

function readFlags(settings) {
  // The file is read under its in-container path; messages show the name the operator knows.
  try {
    return readFlagsFromEnvFile(settings.envFile, settings.flagVariables)
  } catch (error) {
    if (error instanceof EnvFileError && settings.envFileOrigin !== settings.envFile) {
      throw new EnvFileError(error.message.split(settings.envFile).join(settings.envFileOrigin))
    }
    throw error
  }
}

function start(settings) {
  const startedAt = new Date()
  const flags = new FlagStore(readFlags(settings))
  let faults = settings.faults
  const listed = flags.config(settings.trafficFlag).whitelist_users
  const out = (text) => process.stdout.write(text)
  const event = (fields) => out(`${JSON.stringify({ timestamp: new Date().toISOString(), ...fields })}\n`)
  const metrics = createMetrics(settings.trafficFlag)

  const traffic = new TrafficGenerator({
    users: simulatedUsers(settings.users, listed),
    rps: settings.users === 0 && listed.length === 0 ? 0 : settings.rps,
    random: createRandom(settings.seed),
    flags,
    trafficFlag: settings.trafficFlag,
    faults: () => faults,
    flagEventEvery: settings.flagEventEvery,
    write: out,
    now: () => new Date(),
    metrics
  })

  const flagView = (flag, user) => {
    const evaluation = flags.evaluate(flag, user, Date.now())
    return { flag, enabled: evaluation.enabled, config: flags.config(flag), reason: evaluation.reason }
  }

  const routes = {
    health: () => ({
      status: 200,
      body: {
        status: 'ok',
        service: 'ops-center-demo',
        instance: settings.instance,
        started_at: startedAt.toISOString(),
        env_file: settings.envFileOrigin,
        flags_loaded: flags.flags(),
        traffic: {
          users: traffic.options.users.length,
          rps: traffic.options.rps,
          seed: settings.seed,
          flag: settings.trafficFlag,
          generated: traffic.generated
        }
      }
    }),
    listFlags: () => ({ status: 200, body: { flags: flags.flags().map((flag) => flagView(flag, null)) } }),
    getFlag: (flag, user) => ({ status: 200, body: flagView(flag, user) }),
    userFlags: (user) => {
      const evaluations = {}
      for (const flag of flags.flags()) {
        const { enabled, reason, bucket } = flags.evaluate(flag, user, Date.now())
        evaluations[flag] = { enabled, reason, bucket }
      }
      return {
        status: 200,
        body: {
          user_id: user,
          enabled_features: flags.flags().filter((flag) => evaluations[flag].enabled),
          flags: evaluations
        }
      }
    },
    change: (flag, action, percentage) => {
      const before = flags.config(flag)
      if (action === 'enable') flags.setEnabled(flag, true)
      else if (action === 'disable') flags.setEnabled(flag, false)
      else flags.setRollout(flag, percentage)
      event({
        event_type: 'FEATURE_USAGE',
        user_id: null,
        feature: 'feature_flags',
        action,
        details: { flag, before, after: flags.config(flag) }
      })
      return { status: 200, body: flagView(flag, null) }
    }
  }

  const server = http.createServer((request, response) => {
    const began = process.hrtime.bigint()
    handle(request, response, {
      settings,
      flags,
      routes,
      metrics,
      traffic,
      getFaults: () => faults,
      setFaults: (next) => (faults = next)
    })
      .catch((error) => sendJson(response, 500, { error: `internal error: ${error.message}` }))
      .finally(() => {
        const url = request.url || '/'
        if (!url.startsWith('/api/') && !url.startsWith('/admin/')) return
        // Real requests are logged like the simulated ones; only the pages depend on the flag.
        const { pathname, searchParams } = new URL(url, 'http://demo')
        const user = requestUser(request, searchParams)
        const fields = {
          event_type: 'API_CALL',
          user_id: user,
          status_code: response.statusCode,
          duration_ms: Math.max(0, Math.round(Number(process.hrtime.bigint() - began) / 1e6)),
          endpoint: pathname,
          method: request.method,
          source: 'http'
        }
        if (pathname.startsWith('/admin/llm-')) {
          fields.flags = Object.fromEntries(
            flags.flags().map((flag) => [flag, flags.evaluate(flag, user, Date.now()).enabled])
          )
        }
        // Counted in the cohort a guard would put its log line in: what it was served, else its user's evaluation.
        const served =
          fields.flags?.[settings.trafficFlag] ??
          (user === null ? null : flags.evaluate(settings.trafficFlag, user, Date.now()).enabled)
        if (served !== null) metrics.record(served ? 'treatment' : 'control', fields.status_code, fields.duration_ms)
        event(fields)
      })
  })

  server.on('error', (error) => {
    const reason = error.code === 'EADDRINUSE' ? 'the port is in use by another process' : error.message
    process.stderr.write(`ops-center demo: cannot listen on ${settings.host}:${settings.port}: ${reason}\n`)
    process.exit(1)
  })

  server.listen(settings.port, settings.host, () => {
    const { port } = server.address()
    process.stderr.write(
      `ops-center demo: listening on http://${settings.host}:${port} — flags ${flags.flags().join(', ')} from ${settings.envFileOrigin}; ` +
        `${traffic.options.users.length} users at ${traffic.options.rps} requests/s (seed ${settings.seed})\n`
    )
    traffic.start()
  })

  const stop = (signal) => {
    traffic.stop()
    process.stderr.write(`ops-center demo: ${signal}, stopping\n`)
    // A client holding a keep-alive connection must not keep the service from stopping.
    setTimeout(() => process.exit(0), EXIT_DEADLINE_MS).unref()
    server.close(() => process.exit(0))
    server.closeAllConnections()
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

async function handle(request, response, context) {
  const { settings, flags, routes } = context
  const { pathname, searchParams } = new URL(request.url || '/', 'http://demo')
  const method = request.method
  const only = (allowed) => {
    if (allowed.includes(method)) return true
    response.setHeader('Allow', allowed.join(', '))
    sendJson(response, 405, { error: `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})` })
    return false
  }
  const send = ({ status, body }) => sendJson(response, status, body)

  if (pathname === '/health') return only(['GET', 'HEAD']) && send(routes.health())

  if (pathname === '/metrics') {
    if (!only(['GET'])) return
    const text = await context.metrics.text()
    response.writeHead(200, { 'Content-Type': context.metrics.contentType, 'Content-Length': Buffer.byteLength(text) })
    return response.end(text)
  }

  if (pathname === '/demo/traffic') {
    if (!only(['GET', 'POST'])) return
    if (method === 'POST') {
      let change
      try {
        change = JSON.parse(await readBody(request))
      } catch (error) {
        return sendJson(response, 400, { error: `POST /demo/traffic: the body is not JSON (${error.message})` })
      }
      const rps = change?.rps
      if (typeof rps !== 'number' || !Number.isFinite(rps) || rps < 0 || rps > 100000) {
        return sendJson(response, 400, {
          error: `POST /demo/traffic: rps ${JSON.stringify(rps)} is not a rate from 0 to 100000 requests a second`
        })
      }
      context.traffic.setRps(rps)
      process.stderr.write(`ops-center demo: traffic now ${rps} requests/s\n`)
    }
    return sendJson(response, 200, { rps: context.traffic.options.rps, generated: context.traffic.generated })
  }

  if (pathname === '/demo/faults') {
    if (!only(['GET', 'POST'])) return
    if (method === 'GET') return sendJson(response, 200, context.getFaults())
    let change
    try {
      change = JSON.parse(await readBody(request))
    } catch (error) {
      return sendJson(response, 400, { error: `POST /demo/faults: the body is not JSON (${error.message})` })
    }
    try {
      const next = applyFaultChange(context.getFaults(), change, 'POST /demo/faults')
      context.setFaults(next)
      process.stderr.write(`ops-center demo: faults now ${JSON.stringify(next)}\n`)
      return sendJson(response, 200, next)
    } catch (error) {
      if (error instanceof FaultSettingsError) return sendJson(response, 400, { error: error.message })
      throw error
    }
  }

  if (pathname === '/admin/llm-provider-keys') {
    if (!only(['GET', 'HEAD'])) return
    return sendHtml(response, 200, oldProviderKeysPage(requestUser(request, searchParams)))
  }

  if (pathname === '/admin/llm-hub') {
    if (!only(['GET', 'HEAD'])) return
    const user = requestUser(request, searchParams)
    const evaluation = flags.evaluate(settings.trafficFlag, user, Date.now())
    if (evaluation.enabled) return sendHtml(response, 200, llmHubPage(user, evaluation.reason))
    // Users without the feature get the page they had before, as the seed's code does.
    const query = searchParams.toString()
    response.writeHead(302, {
      Location: `/admin/llm-provider-keys${query === '' ? '' : `?${query}`}`,
      'Content-Length': 0
    })
    return response.end()
  }

  if (pathname === FEATURES_PREFIX || pathname === `${FEATURES_PREFIX}/`)
    return only(['GET']) && send(routes.listFlags())

  if (!pathname.startsWith(`${FEATURES_PREFIX}/`)) return sendJson(response, 404, { error: `nothing at ${pathname}` })
  let parts
  try {
    parts = pathname
      .slice(FEATURES_PREFIX.length + 1)
      .split('/')
      .map(decodeURIComponent)
  } catch {
    return sendJson(response, 400, { error: `${pathname} is not a valid path (bad percent-encoding)` })
  }

  if (parts.length === 3 && parts[0] === 'user' && parts[2] === 'enabled') {
    return only(['GET']) && send(routes.userFlags(parts[1]))
  }
  const flag = parts[0]
  if (!flags.has(flag))
    return sendJson(response, 404, { error: `no flag "${flag}" (flags: ${flags.flags().join(', ')})` })
  if (parts.length === 1) {
    const user = requestUser(request, searchParams)
    return only(['GET']) && send(routes.getFlag(flag, user))
  }
  const action = parts[1]
  const known =
    (parts.length === 2 && (action === 'enable' || action === 'disable')) ||
    (parts.length === 3 && action === 'rollout')
  if (!known) return sendJson(response, 404, { error: `nothing at ${pathname}` })
  if (!only(['POST'])) return
  if (!authorised(request, settings.adminToken)) {
    response.setHeader('WWW-Authenticate', 'Bearer')
    return sendJson(response, 401, {
      error: 'the admin endpoints need "Authorization: Bearer <token>" (DEMO_ADMIN_TOKEN is set)'
    })
  }
  if (action !== 'rollout') return send(routes.change(flag, action))
  const text = parts[2]
  if (!/^\d+$/.test(text) || Number(text) > 100) {
    return sendJson(response, 400, { error: `rollout percentage "${text}" is not a whole number from 0 to 100` })
  }
  return send(routes.change(flag, 'rollout', Number(text)))
}

/** The user a request is for: ?user_id=… (or ?user=…), else the X-User-Id header, else anonymous. */
function requestUser(request, searchParams) {
  const fromQuery = searchParams.get('user_id') ?? searchParams.get('user')
  if (fromQuery !== null && fromQuery !== '') return fromQuery
  const header = request.headers['x-user-id']
  return typeof header === 'string' && header !== '' ? header : null
}

function authorised(request, token) {
  if (token === null) return true
  const given = Buffer.from(request.headers.authorization || '')
  const expected = Buffer.from(`Bearer ${token}`)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    request.on('data', (chunk) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`more than ${MAX_BODY_BYTES} bytes`))
        request.destroy()
      } else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function sendJson(response, status, body) {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text)
  })
  response.end(text)
}

function sendHtml(response, status, html) {
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) })
  response.end(html)
}

function main() {
  let settings
  try {
    settings = readSettings(process.env)
    start(settings)
  } catch (error) {
    if (error instanceof SettingError || error instanceof EnvFileError) {
      process.stderr.write(`ops-center demo: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
}

main()
