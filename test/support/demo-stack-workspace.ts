/**
 * The workspace and env file of the e2e tests that run on the demo stack: one environment whose
 * service is the demo container, short guard windows so a regression trips within seconds.
 */
import { POSTGRES_FIXTURE_IMAGE } from './docker-test-env'

export const DEMO_FLAG = 'unified_llm_hub'
export const DEMO_ENVIRONMENT = 'demo'
export const DEMO_WINDOW_SECONDS = 2
export const DEMO_BREACH_WINDOWS = 2
const DEMO_LATENESS_SECONDS = 1

/** One guard decision: the phase's first window (maybe partial), the window that decides, its lateness. */
const DECISION_MS = (2 * DEMO_WINDOW_SECONDS + DEMO_LATENESS_SECONDS) * 1000
/** `docker restart` of the demo service (it exits on SIGTERM at once) and the wait for /health, on a busy machine. */
const RESTART_MS = 15_000
/** Starting the built CLI (Node, the bundle, SQLite) on a busy machine. */
const CLI_MS = 5_000
const SLACK = 3

/**
 * A test's budget on the demo stack, from what it waits for rather than the global 30 s: guard
 * decisions, restarts of the demo service with their health wait, and CLI processes, with slack
 * for a machine shared with other work. A bound, never an expectation: no test asserts how long
 * anything took.
 */
export function demoTestBudget(waits: { decisions: number; restarts: number; cliRuns: number }): number {
  return SLACK * (waits.decisions * DECISION_MS + waits.restarts * RESTART_MS + waits.cliRuns * CLI_MS)
}

/** Whitelisted, so the flag has users at 0 % too. */
const DEMO_TESTERS = Array.from({ length: 10 }, (_, index) => `tester-${index}@example.com`)

export function demoEnvText(percentage: number): string {
  return [
    '# demo ops-center flags for an e2e test',
    'FEATURE_UNIFIED_LLM_HUB=true',
    `FEATURE_LLM_HUB_ROLLOUT=${percentage}`,
    `FEATURE_LLM_HUB_WHITELIST=${DEMO_TESTERS.join(',')}`,
    'FEATURE_LLM_HUB_BLACKLIST=',
    'FEATURE_LLM_HUB_START_DATE=2025-10-27',
    'FEATURE_LLM_HUB_END_DATE=',
    ''
  ].join('\n')
}

export interface DemoWorkspaceOptions {
  serviceContainer: string
  postgresContainer: string
  /** The demo service's base URL on 127.0.0.1. */
  baseUrl: string
  pgPort: number
  verifyUrls?: boolean
}

export function demoWorkspaceYaml(options: DemoWorkspaceOptions): string {
  return [
    `default_environment: ${DEMO_ENVIRONMENT}`,
    'environments:',
    `  ${DEMO_ENVIRONMENT}:`,
    '    service:',
    `      container: ${options.serviceContainer}`,
    `      health_url: ${options.baseUrl}/health`,
    ...(options.verifyUrls === true ? [`      verify_urls: [${options.baseUrl}/admin/llm-provider-keys]`] : []),
    '    flag_source: { kind: env-file, path: ./.env }',
    `    flags: [${DEMO_FLAG}]`,
    `    postgres: { container: ${options.postgresContainer}, image: "${POSTGRES_FIXTURE_IMAGE}", ` +
      `port: ${options.pgPort}, network: host, disposable: true }`,
    `    guards: { window_seconds: ${DEMO_WINDOW_SECONDS}, lateness_seconds: ${DEMO_LATENESS_SECONDS}, ` +
      'min_requests: 20, max_error_rate: 0.05, max_latency_degradation: 0.5, ' +
      `breach_windows: ${DEMO_BREACH_WINDOWS}, action: rollback }`,
    '    rollout: { min_soak_seconds: 0 }',
    ''
  ].join('\n')
}
