/**
 * An ISO instant as a local wall-clock time to the second, e.g. "07:12:03": for live lists
 * where the date is today's. The exact ISO value goes in a title attribute where it is shown.
 */
export function clockTimeText(iso: string): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return iso
  const two = (value: number) => String(value).padStart(2, '0')
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
}
