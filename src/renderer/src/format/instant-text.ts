/**
 * An ISO instant as the operator reads it: local date and time to the second, e.g.
 * "2025-11-03 09:00:12". The exact ISO value goes in a title attribute where it is shown.
 */
export function instantText(iso: string | null): string {
  if (iso === null) return '—'
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return iso
  const two = (value: number) => String(value).padStart(2, '0')
  const date = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`
  return `${date} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
}
