#!/usr/bin/env node
'use strict'
// The CLI is built with the app (electron-vite build) so both run exactly the same services.
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const built = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(built)) {
  process.stderr.write(
    'rampart: the CLI is not built yet. Run "npm run build" (or "npm run setup") in ' + join(__dirname, '..') + '\n'
  )
  process.exit(1)
}
require(built)
