import type { Terminal } from '@xterm/xterm'

/**
 * Opens an xterm.js terminal in `host` under the console's `style-src 'self'` policy.
 *
 * xterm 6 writes its theme, cell size and scrollbar rules into `<style>` elements it creates
 * while opening. Chromium refuses every script-made `<style>` under that policy (even an empty
 * one, and even with a non-CSS `type`) and logs a violation each time, and the terminal then
 * lacks its colours. Constructed style sheets are CSSOM, which the policy does not govern. So,
 * while `open()` runs, each `<style>` xterm asks for is swapped for an inert `<template>` (it
 * only sets `textContent` on it and later removes it), and its text is mirrored into a
 * constructed sheet adopted by the document. Returns the clean-up for after `dispose()`.
 */
export function openTerminal(terminal: Terminal, host: HTMLElement): () => void {
  const document = host.ownerDocument
  const standIns: HTMLTemplateElement[] = []
  const ownCreateElement = Object.getOwnPropertyDescriptor(document, 'createElement')
  document.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
    if (tagName.toLowerCase() !== 'style') return Document.prototype.createElement.call(this, tagName, options)
    const standIn = Document.prototype.createElement.call(this, 'template') as HTMLTemplateElement
    standIns.push(standIn)
    return standIn
  } as Document['createElement']
  try {
    terminal.open(host)
  } finally {
    if (ownCreateElement === undefined) delete (document as { createElement?: unknown }).createElement
    else Object.defineProperty(document, 'createElement', ownCreateElement)
  }

  const observers: MutationObserver[] = []
  const sheets = standIns.map((standIn) => {
    const sheet = new CSSStyleSheet()
    const mirror = () => sheet.replaceSync(standIn.textContent ?? '')
    mirror()
    // xterm rewrites these rules on resize and theme changes.
    const observer = new MutationObserver(mirror)
    observer.observe(standIn, { childList: true, characterData: true, subtree: true })
    observers.push(observer)
    return sheet
  })
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets]

  return () => {
    for (const observer of observers) observer.disconnect()
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => !sheets.includes(sheet))
  }
}
