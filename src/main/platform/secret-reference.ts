import { RampartError } from '@shared/errors'

/**
 * Resolves a secret reference from the workspace (`${VAR}` or `${VAR:-default}`) against an
 * environment, with the shell's meaning: `:-` falls back when VAR is unset or empty. The value is
 * returned to the caller only; it is never logged or recorded.
 */
export function resolveSecretReference(
  reference: string,
  env: Readonly<Record<string, string | undefined>>,
  /** Where the reference came from, for the error: e.g. `environment "local" postgres.password`. */
  field: string
): string {
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/.exec(reference)
  if (match === null) {
    throw new RampartError(
      'bad_input',
      `${field} must be a \${ENV_VAR} or \${ENV_VAR:-default} reference, never a literal secret`
    )
  }
  const name = match[1]!
  const fallback = match[2]
  const value = env[name]
  if (fallback !== undefined) return value === undefined || value === '' ? fallback : value
  if (value === undefined) {
    throw new RampartError(
      'bad_input',
      `${field} refers to \${${name}}, but the environment variable ${name} is not set. ` +
        `Set ${name}, or give a default as \${${name}:-value}.`,
      { variable: name }
    )
  }
  return value
}
