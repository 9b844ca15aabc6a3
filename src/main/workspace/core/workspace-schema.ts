import { z } from 'zod'
import { GuardSettingsSchema } from '@shared/schemas/guard-settings'
import { EnvironmentNameSchema, FlagNameSchema } from '@shared/schemas/names'

/**
 * The workspace file (`rampart.config.yaml`): environments and everything Rampart touches in them.
 * Pure schema; reading the file and pointing errors at lines is the adapter's job.
 */

// Secrets are referenced, never written: `${VAR}` or `${VAR:-fallback}`.
const SecretReferenceSchema = z
  .string()
  .regex(
    /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/,
    'must be a ${ENV_VAR} reference (or ${ENV_VAR:-default}), never a literal secret'
  )

const VarNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')

const FlagEnvMappingSchema = z
  .object({
    enabled: VarNameSchema,
    rollout_percentage: VarNameSchema,
    whitelist_users: VarNameSchema,
    blacklist_users: VarNameSchema,
    start_date: VarNameSchema,
    end_date: VarNameSchema
  })
  .strict()

const HttpUrlSchema = z.url({ protocol: /^https?$/ })

const FlagSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('env-file'),
      path: z.string().min(1).default('./.env'),
      // Per-flag variable names; flags not listed use FEATURE_<FLAG> and FEATURE_<FLAG>_{ROLLOUT,…}.
      mappings: z.record(z.string(), FlagEnvMappingSchema).default({})
    })
    .strict(),
  z
    .object({
      kind: z.literal('http'),
      base_url: HttpUrlSchema,
      token: SecretReferenceSchema.optional()
    })
    .strict(),
  z
    .object({
      kind: z.literal('unleash'),
      url: HttpUrlSchema,
      project: z.string().min(1).default('default'),
      environment: z.string().min(1),
      // An Admin API token (or an admin's personal access token): it reads and writes features.
      token: SecretReferenceSchema
    })
    .strict()
])

// A PromQL expression evaluated at a window's end; `$window` and `$flag` are filled in (docs/sources.md).
const PromQlSchema = z.string().trim().min(1, 'must be a PromQL expression')

/**
 * Where guard windows come from: the service's log (default) or Prometheus. The Prometheus
 * fields are refused with the log source, so a half-configured source never judges silently
 * from the log; queries left out take the defaults that fit the demo service's metrics.
 */
const EnvironmentGuardsSchema = GuardSettingsSchema.extend({
  source: z.enum(['logs', 'prometheus']).default('logs'),
  url: HttpUrlSchema.optional(),
  token: SecretReferenceSchema.optional(),
  queries: z
    .object({ requests: PromQlSchema.optional(), failures: PromQlSchema.optional(), p95: PromQlSchema.optional() })
    .strict()
    .default({})
}).superRefine((guards, context) => {
  if (guards.source === 'prometheus') {
    if (guards.url === undefined)
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'is required with source: prometheus (e.g. http://127.0.0.1:9090)'
      })
    return
  }
  for (const field of ['url', 'token'] as const) {
    if (guards[field] !== undefined)
      context.addIssue({ code: 'custom', path: [field], message: 'is only read with source: prometheus' })
  }
  if (Object.keys(guards.queries).length > 0)
    context.addIssue({ code: 'custom', path: ['queries'], message: 'are only read with source: prometheus' })
})
export type EnvironmentGuards = z.infer<typeof EnvironmentGuardsSchema>

const PostgresSchema = z
  .object({
    container: z.string().min(1).default('unicorn-postgresql'),
    image: z.string().min(1).default('postgres:16'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).default(5432),
    user: z.string().min(1).default('unicorn'),
    password: SecretReferenceSchema.default('${RAMPART_PG_PASSWORD:-unicorn}'),
    database: z.string().min(1).default('unicorn_test'),
    disposable: z.boolean().default(false),
    network: z.enum(['publish', 'host']).default('publish')
  })
  .strict()

const ServiceSchema = z
  .object({
    container: z.string().min(1).default('ops-center-direct'),
    health_url: HttpUrlSchema.nullable().default(null),
    verify_urls: z.array(HttpUrlSchema).default([]),
    log_format: z.enum(['json']).default('json')
  })
  .strict()

export const EnvironmentSchema = z
  .object({
    docker: z
      .object({
        host: z
          .string()
          .regex(/^(unix|npipe|tcp|ssh):\/\//, 'must start with unix://, npipe://, tcp:// or ssh://')
          .optional()
      })
      .strict()
      .default({}),
    service: ServiceSchema.default(ServiceSchema.parse({})),
    flag_source: FlagSourceSchema.default({ kind: 'env-file', path: './.env', mappings: {} }),
    flags: z.array(FlagNameSchema).min(1).default(['unified_llm_hub']),
    postgres: PostgresSchema.default(PostgresSchema.parse({})),
    migrations: z.string().min(1).default('./migrations'),
    guards: EnvironmentGuardsSchema.default(EnvironmentGuardsSchema.parse({})),
    rollout: z
      .object({ min_soak_seconds: z.number().int().min(0).default(0) })
      .strict()
      .default({ min_soak_seconds: 0 }),
    protected: z.boolean().default(false)
  })
  .strict()
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>

export const WorkspaceSchema = z
  .object({
    version: z.literal(1).default(1),
    default_environment: z.string().min(1).optional(),
    environments: z
      .record(EnvironmentNameSchema, EnvironmentSchema)
      .refine((environments) => Object.keys(environments).length > 0, 'at least one environment is required')
  })
  .strict()
  .superRefine((workspace, context) => {
    const names = Object.keys(workspace.environments)
    if (workspace.default_environment !== undefined && !names.includes(workspace.default_environment)) {
      context.addIssue({
        code: 'custom',
        path: ['default_environment'],
        message: `names no environment (there are: ${names.join(', ')})`
      })
    }
  })

export type WorkspaceConfig = z.infer<typeof WorkspaceSchema>

/** A workspace as loaded: relative paths are resolved against `baseDir`. */
export interface Workspace {
  /** The file it came from, or null for the built-in default. */
  file: string | null
  baseDir: string
  defaultEnvironment: string
  environments: Record<string, EnvironmentConfig>
}

/** The seed's setup: one local environment with the ops-center service and its test database. */
export const DEFAULT_WORKSPACE_CONFIG: WorkspaceConfig = WorkspaceSchema.parse({
  default_environment: 'local',
  environments: {
    local: {
      service: {
        container: 'ops-center-direct',
        health_url: 'http://127.0.0.1:8084/health',
        verify_urls: ['http://127.0.0.1:8084/admin/llm-provider-keys']
      },
      flag_source: { kind: 'env-file', path: './.env' },
      flags: ['unified_llm_hub'],
      postgres: { container: 'unicorn-postgresql', database: 'unicorn_test', user: 'unicorn', disposable: true },
      migrations: './migrations'
    }
  }
})

export function toWorkspace(config: WorkspaceConfig, file: string | null, baseDir: string): Workspace {
  const names = Object.keys(config.environments)
  return {
    file,
    baseDir,
    defaultEnvironment: config.default_environment ?? names[0]!,
    environments: config.environments
  }
}
