'use strict'
/** The two UIs of the seed: the old LLM provider-keys page (stable) and the new unified LLM hub. */

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
${body}
</body>
</html>
`
}

/** " for USER", or nothing for an anonymous visitor. */
function forUser(user) {
  return user === null ? '' : ` for ${escapeHtml(user)}`
}

function oldProviderKeysPage(user) {
  return page(
    'LLM provider keys — ops-center',
    `<h1>LLM provider keys</h1>
<p data-page="llm-provider-keys">The stable page${forUser(user)}.</p>
<table><tr><th>Provider</th><th>Key</th></tr><tr><td>openai</td><td>sk-…demo</td></tr></table>`
  )
}

function llmHubPage(user, reason) {
  return page(
    'LLM hub — ops-center',
    `<h1>LLM hub</h1>
<p data-page="llm-hub">The unified LLM hub${forUser(user)} (flag: ${escapeHtml(reason)}).</p>
<nav><a href="#provider_keys">Provider keys</a> · <a href="#models">Models</a> · <a href="#usage">Usage</a></nav>`
  )
}

module.exports = { oldProviderKeysPage, llmHubPage }
