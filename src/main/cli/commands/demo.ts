import { DemoUpInputSchema, type DemoDownResult, type DemoUpInput, type DemoUpResult } from '@shared/demo-types'
import type { AppContext } from '@main/app/app-context'
import { LineWriter, type CliIo } from '../cli-io'
import type { CliCommand, OptionValues } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'
import { printRunbookProgress } from '../runbook-progress-printer'
import { UsageError } from '../usage-error'

const MAX_PORT = 65_535

const demoUpCommand: CliCommand = {
  words: ['demo', 'up'],
  summary: 'Start Postgres and the demo ops-center service in containers on 127.0.0.1 (reuses what runs)',
  usage: [
    'rampart demo up [--env NAME] [--port N] [--pg-port N] [--image-node REF] [--image-postgres REF] ' +
      '[--rps N] [--users N] [--seed TEXT] [--json]',
    '  --port            the service on 127.0.0.1 ' +
      '(default: the port of the environment’s flag API or health URL, else 8084)',
    '  --pg-port         Postgres on 127.0.0.1 when demo up creates it (default: postgres.port)',
    '  --image-node      the service’s image (default: RAMPART_DEMO_NODE_IMAGE, else node:18-slim)',
    '  --image-postgres  Postgres’s image (default: postgres.image)',
    '  --rps, --users, --seed  the service’s own traffic: ' +
      'requests per second (50), simulated users (2000), a seed for repeatable runs',
    'The environment’s env file is mounted at /config/.env (created from resources/demo/ops-center.env when missing).',
    'RAMPART_DEMO_LABELS=key=value,… adds labels to the containers it creates (tests mark theirs rampart.test=1).'
  ].join('\n'),
  options: {
    port: { type: 'string' },
    'pg-port': { type: 'string' },
    'image-node': { type: 'string' },
    'image-postgres': { type: 'string' },
    rps: { type: 'string' },
    users: { type: 'string' },
    seed: { type: 'string' }
  },
  async run({ values, positionals }, io, runtime) {
    if (positionals.length > 0) throw new UsageError(`demo up takes no arguments, got: ${positionals.join(' ')}`)
    const input = upInput(values)
    const json = flag(values, 'json')
    const context = await runtime.appContext()
    const result = await withProgress(context, io, json, () => context.services.demo.up(input))
    await printResult(io, json, result, upLines(result))
  }
}

const demoDownCommand: CliCommand = {
  words: ['demo', 'down'],
  summary: 'Remove the demo’s containers (only those labelled rampart.demo=1)',
  usage:
    'rampart demo down [--env NAME] [--json]\n' +
    'A container with the service’s name that demo up did not create is refused, never removed.',
  options: {},
  async run({ values, positionals }, io, runtime) {
    if (positionals.length > 0) throw new UsageError(`demo down takes no arguments, got: ${positionals.join(' ')}`)
    const json = flag(values, 'json')
    const context = await runtime.appContext()
    const environment = optionalString(values, 'env')
    const result = await withProgress(context, io, json, () =>
      context.services.demo.down(environment === undefined ? {} : { environment })
    )
    await printResult(io, json, result, downLines(result))
  }
}

export const demoCommands: CliCommand[] = [demoUpCommand, demoDownCommand]

function upInput(values: OptionValues): DemoUpInput {
  const port = optionalInteger(values, 'port', 1, MAX_PORT)
  const pgPort = optionalInteger(values, 'pg-port', 1, MAX_PORT)
  const users = optionalInteger(values, 'users', 0, 1_000_000)
  const rpsText = optionalString(values, 'rps')
  if (rpsText !== undefined && !/^\d+(\.\d+)?$/.test(rpsText))
    throw new UsageError(`--rps ${rpsText} is not a number of requests per second`)
  const seed = optionalString(values, 'seed')
  const traffic = {
    ...(rpsText === undefined ? {} : { rps: Number(rpsText) }),
    ...(users === undefined ? {} : { users }),
    ...(seed === undefined ? {} : { seed })
  }
  const candidate = {
    environment: optionalString(values, 'env'),
    port,
    pgPort,
    nodeImage: optionalString(values, 'image-node'),
    postgresImage: optionalString(values, 'image-postgres'),
    traffic: Object.keys(traffic).length === 0 ? undefined : traffic
  }
  const parsed = DemoUpInputSchema.safeParse(
    Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined))
  )
  if (!parsed.success) {
    const names: Record<string, string> = {
      nodeImage: '--image-node',
      postgresImage: '--image-postgres',
      pgPort: '--pg-port'
    }
    const issue = parsed.error.issues[0]!
    const field = String(issue.path.at(-1) ?? '')
    throw new UsageError(`${names[field] ?? `--${field}`} ${issue.message}`)
  }
  return parsed.data
}

async function withProgress<T>(context: AppContext, io: CliIo, json: boolean, action: () => Promise<T>): Promise<T> {
  // A closed pipe (`rampart demo up | head`) ends the output, never the work halfway.
  io.stdout.on('error', () => undefined)
  const unsubscribe = context.services.progress.subscribe(printRunbookProgress(io, json))
  try {
    return await action()
  } finally {
    unsubscribe()
  }
}

async function printResult(io: CliIo, json: boolean, result: unknown, lines: string[]): Promise<void> {
  if (!io.stdout.writable) return
  const out = new LineWriter(io.stdout)
  if (json) await out.json({ event: 'result', result })
  else for (const line of lines) await out.line(line)
  await out.flush()
}

/** What is where, for the operator to copy from. */
export function upLines(result: DemoUpResult): string[] {
  const { service, postgres, envFile } = result
  const env = result.environment
  const pgNote = postgres.demoOwned ? postgres.status : `${postgres.status}; not the demo's own, demo down leaves it`
  const pgAddress = `${postgres.user}@127.0.0.1:${postgres.port}/${postgres.database}`
  const envFileNote = envFile.created ? ' (created from resources/demo/ops-center.env)' : ''
  return [
    `demo is up (environment ${env})`,
    `  service   ${service.url}   ${service.container}, ${service.image} (${service.status})`,
    `  health    ${service.healthUrl}`,
    `  pages     ${service.url}/admin/llm-provider-keys (old)   ${service.url}/admin/llm-hub?user_id=U (new)`,
    `  flag API  ${service.url}/api/v1/features/`,
    `  env file  ${envFile.path}${envFileNote}; the service reads it at start`,
    `  postgres  ${pgAddress}   ${postgres.container}, ${postgres.image} (${pgNote})`,
    `  faults    curl -X POST ${service.url}/demo/faults -d '{"treatment":{"failure_rate":0.2}}'`,
    `  logs      rampart logs ${service.container} --follow --event-type API_CALL`,
    `  stop      rampart demo down --env ${env}`
  ]
}

function downLines(result: DemoDownResult): string[] {
  const lines =
    result.removed.length === 0
      ? [`nothing to remove for environment ${result.environment}`]
      : [`removed ${result.removed.join(', ')}`]
  for (const kept of result.kept) lines.push(`kept ${kept.container}: ${kept.reason}`)
  return lines
}
