import type { MigrationState, MigrationStatusEntry } from '@shared/migration-types'

export const MIGRATION_STATE_TEXT: Record<MigrationState, string> = {
  applied: 'applied',
  pending: 'pending',
  changed: 'CHANGED since applied',
  missing: 'MISSING file',
  failed: 'FAILED'
}

/** The first 12 hex digits: enough to compare by eye; the whole checksum goes in a title. */
export function shortChecksum(checksum: string | null): string {
  return checksum === null ? '—' : checksum.slice(0, 12)
}

/** "734 B", "12.4 KB", "3.1 MB". */
export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** The file's own name, without its folder. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).at(-1) ?? file
}

/** The versions migrate can stop at: each pending one, lowest first. */
export function migrateTargets(entries: readonly MigrationStatusEntry[]): MigrationStatusEntry[] {
  return entries.filter((entry) => entry.state === 'pending').sort((a, b) => a.version - b.version)
}

/**
 * The versions a rollback can go back to: each applied version below the current one, then 0
 * (every migration rolled back). Rolling back only the newest is the default and needs no version.
 */
export function rollbackTargets(
  entries: readonly MigrationStatusEntry[],
  currentVersion: number
): Array<{ version: number; label: string }> {
  const below = entries
    .filter((entry) => entry.state === 'applied' && entry.version < currentVersion)
    .sort((a, b) => b.version - a.version)
    .map((entry) => ({ version: entry.version, label: `to version ${entry.version} (${entry.name})` }))
  return currentVersion > 0 ? [...below, { version: 0, label: 'to version 0 (every migration)' }] : below
}
