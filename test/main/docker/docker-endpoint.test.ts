import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveDockerEndpoint } from '@main/docker/docker-endpoint'
import { RampartError } from '@shared/errors'

let dir: string | undefined

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

function badInput(host: string | undefined, env: NodeJS.ProcessEnv): RampartError {
  try {
    resolveDockerEndpoint(host, env)
  } catch (error) {
    expect(error).toBeInstanceOf(RampartError)
    expect((error as RampartError).code).toBe('bad_input')
    return error as RampartError
  }
  throw new Error(`${host} was accepted`)
}

describe('resolveDockerEndpoint', () => {
  it('takes a socket path, bare or as unix://, and ignores DOCKER_HOST when a host is given', () => {
    const env = { DOCKER_HOST: 'tcp://build-host.example:2375' }
    expect(resolveDockerEndpoint('/run/user/1000/docker.sock', env)).toEqual({
      display: 'unix:///run/user/1000/docker.sock',
      options: { socketPath: '/run/user/1000/docker.sock', host: undefined, port: undefined, protocol: 'http' }
    })
    expect(resolveDockerEndpoint('unix:///var/run/docker.sock', env).options.socketPath).toBe('/var/run/docker.sock')
  })

  it('uses DOCKER_HOST when no host is given, and the default socket when neither is', () => {
    expect(resolveDockerEndpoint(undefined, { DOCKER_HOST: 'tcp://build-host.example:2375' })).toMatchObject({
      display: 'tcp://build-host.example:2375',
      options: { host: 'build-host.example', port: 2375, protocol: 'http' }
    })
    expect(resolveDockerEndpoint(undefined, { DOCKER_HOST: '' }).display).toMatch(/^unix:\/\/\/.*docker\.sock$/)
  })

  it('speaks TLS on port 2376 or with DOCKER_TLS_VERIFY=1, with the certificates from DOCKER_CERT_PATH', () => {
    expect(resolveDockerEndpoint('tcp://build-01:2376', {})).toMatchObject({
      display: 'tcp+tls://build-01:2376',
      options: { protocol: 'https' }
    })
    dir = mkdtempSync(join(tmpdir(), 'rampart-certs-'))
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, file), `${file} content`)
    const endpoint = resolveDockerEndpoint('tcp://build-01:2375', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir })
    expect(endpoint.options.protocol).toBe('https')
    expect(String(endpoint.options.ca)).toBe('ca.pem content')
    expect(String(endpoint.options.key)).toBe('key.pem content')
  })

  it('names DOCKER_CERT_PATH when its files cannot be read', () => {
    expect(badInput('tcp://build-01:2376', { DOCKER_CERT_PATH: '/nonexistent-rampart-certs' }).message).toMatch(
      /^DOCKER_CERT_PATH=\/nonexistent-rampart-certs: cannot read the TLS files/
    )
  })

  it('reads ssh://USER@HOST:PORT, bounding the handshake to 2 s', () => {
    const endpoint = resolveDockerEndpoint('ssh://deploy@build-01:2222', { SSH_AUTH_SOCK: '/tmp/agent.sock' })
    expect(endpoint.display).toBe('ssh://deploy@build-01:2222')
    expect(endpoint.options).toMatchObject({
      protocol: 'ssh',
      host: 'build-01',
      port: 2222,
      username: 'deploy',
      sshOptions: { agent: '/tmp/agent.sock', readyTimeout: 2000 }
    })
    expect(resolveDockerEndpoint('ssh://build-01', { USER: 'ops' }).options).toMatchObject({
      port: 22,
      username: 'ops'
    })
  })

  it('defaults a tcp port as the docker CLI does: 2375, or 2376 with TLS', () => {
    expect(resolveDockerEndpoint('tcp://build-01', {}).display).toBe('tcp://build-01:2375')
    expect(resolveDockerEndpoint('tcp://build-01', { DOCKER_TLS_VERIFY: '1' }).display).toBe('tcp+tls://build-01:2376')
  })

  it('refuses other schemes and an empty socket path, saying where the value came from', () => {
    expect(badInput('http://build-01:2375', {}).message).toBe(
      'the Docker host "http://build-01:2375" uses http://, which is not one of unix://, tcp:// or ssh://'
    )
    expect(badInput(undefined, { DOCKER_HOST: 'ftp://build-01' }).message).toBe(
      'DOCKER_HOST "ftp://build-01" uses ftp://, which is not one of unix://, tcp:// or ssh://'
    )
    expect(badInput('unix://', {}).message).toBe('the Docker host "unix://" names no socket path')
  })
})
