// Long enough for the browser to have taken the file; the object URL is then let go.
const REVOKE_AFTER_MS = 10_000

/**
 * Saves text as a file through the browser's own download, started by the operator's click:
 * nothing is asked first, nothing leaves the machine. A Blob URL, so the Content-Security-Policy
 * needs no exception.
 */
export function downloadText(fileName: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS)
}
