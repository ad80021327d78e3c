#!/usr/bin/env node
// Answer node-semver range cases with the JavaScript reference implementation.
//
// Usage:
//   POLARIS_NODE_SEMVER=/path/to/node_modules node scripts/node_semver_oracle.mjs IN.json OUT.json
//
// IN.json is {"cases": [...]} (extra top-level keys are kept) or a bare list of cases. Each case has
// an "op" and its arguments; the oracle sets "expected" on every case and records the semver
// version it used under "node_semver". OUT.json may be IN.json (rewrite in place); "-" prints.
//
// ops (every case may carry "includePrerelease": true):
//   satisfies      {range, version}   -> true | false     (false for an invalid range, as in node)
//   validRange     {range}            -> normalised range string, or null when invalid
//   maxSatisfying  {range, versions}  -> a version string or null
//   minSatisfying  {range, versions}  -> a version string or null
//   intersects     {range, other}     -> true | false, or null when either range is invalid
//   invalid        {range}            -> node's error message, or null when the range is valid
//
// tests/core/test_ranges.py runs this live when POLARIS_NODE_SEMVER is set, to prove that
// tests/data/node_semver_ranges.json is current.

import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const [, , inPath, outPath] = process.argv
if (!inPath || !outPath) {
  console.error('usage: node node_semver_oracle.mjs IN.json OUT.json  (POLARIS_NODE_SEMVER=node_modules dir)')
  process.exit(2)
}
const modules = process.env.POLARIS_NODE_SEMVER
if (!modules) {
  console.error('set POLARIS_NODE_SEMVER to a node_modules directory that contains semver')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'))
const semver = require('semver')
const semverVersion = require('semver/package.json').version

const answer = (c) => {
  const options = { includePrerelease: !!c.includePrerelease }
  switch (c.op) {
    case 'satisfies':
      return semver.satisfies(c.version, c.range, options)
    case 'validRange':
      return semver.validRange(c.range, options)
    case 'maxSatisfying':
      return semver.maxSatisfying(c.versions, c.range, options)
    case 'minSatisfying':
      return semver.minSatisfying(c.versions, c.range, options)
    case 'intersects':
      try {
        return semver.intersects(c.range, c.other, options)
      } catch {
        return null
      }
    case 'invalid':
      try {
        new semver.Range(c.range, options)
        return null
      } catch (err) {
        return String(err.message)
      }
    default:
      throw new Error(`unknown op ${JSON.stringify(c.op)}`)
  }
}

const data = JSON.parse(readFileSync(inPath, 'utf8'))
const doc = Array.isArray(data) ? { cases: data } : data
for (const c of doc.cases) {
  c.expected = answer(c)
}
doc.node_semver = semverVersion
// One case per line: reviewable diffs, modest size.
const { cases, ...rest } = doc
const head = JSON.stringify(rest, null, 1).slice(0, -2)
const text = `${head},\n "cases": [\n${cases.map((c) => '  ' + JSON.stringify(c)).join(',\n')}\n ]\n}\n`
if (outPath === '-') {
  process.stdout.write(text)
} else {
  writeFileSync(outPath, text)
}
