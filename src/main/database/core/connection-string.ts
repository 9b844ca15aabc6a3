/**
 * How to reach a database, for people: a postgresql:// URL without the password, and where the
 * password comes from instead.
 */
export function connectionString(settings: { user: string; host: string; port: number; database: string }): string {
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host
  return `postgresql://${encodeURIComponent(settings.user)}@${host}:${settings.port}/${encodeURIComponent(settings.database)}`
}

/** `${RAMPART_PG_PASSWORD:-unicorn}` becomes "password from ${RAMPART_PG_PASSWORD}": the fallback is a secret too. */
export function passwordSource(reference: string): string {
  const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(reference)?.[1]
  return name === undefined ? 'password from the workspace' : `password from \${${name}}`
}
