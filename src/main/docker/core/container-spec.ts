import { RampartError } from '@shared/errors'
import { checkContainerRef, checkImageRef } from './request-arguments'

/** A container Rampart creates, as its callers describe it. */
export interface ContainerSpec {
  name: string
  image: string
  env: Record<string, string>
  cmd?: string[]
  entrypoint?: string[]
  /** An absolute `source` is a bind mount; any other `source` names a volume. */
  mounts?: Array<{ source: string; target: string; readOnly?: boolean }>
  /** Only with network 'publish'; hostIp defaults to 127.0.0.1 so nothing is exposed by accident. */
  ports?: Array<{ containerPort: number; hostPort: number; hostIp?: string; protocol?: 'tcp' | 'udp' }>
  network: 'publish' | 'host'
  /** Added to `rampart.managed=1`, which every container Rampart creates carries. */
  labels?: Record<string, string>
  healthcheck?: {
    test: string[]
    intervalSeconds: number
    timeoutSeconds: number
    retries: number
    startPeriodSeconds?: number
  }
  tty?: boolean
  user?: string
}

const MANAGED_LABEL = 'rampart.managed'

/** The engine's create body for `spec`, refusing what the engine would take but Rampart does not. */
export function containerCreateBody(spec: ContainerSpec): Record<string, unknown> {
  checkContainerRef(spec.name)
  checkImageRef(spec.image)
  const ports = spec.ports ?? []
  if (spec.network === 'host' && ports.length > 0) {
    throw new RampartError(
      'bad_input',
      `container ${spec.name}: ports cannot be published with host networking ` +
        '(the container already listens on the host)'
    )
  }
  for (const [key] of Object.entries(spec.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new RampartError('bad_input', `container ${spec.name}: environment variable name "${key}" is not valid`)
  }
  const mounts = (spec.mounts ?? []).map((mount) => {
    if (!mount.target.startsWith('/'))
      throw new RampartError(
        'bad_input',
        `container ${spec.name}: mount target "${mount.target}" must be an absolute path`
      )
    return {
      Type: mount.source.startsWith('/') ? 'bind' : 'volume',
      Source: mount.source,
      Target: mount.target,
      ReadOnly: mount.readOnly === true
    }
  })
  const exposed: Record<string, object> = {}
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {}
  for (const port of ports) {
    const key = `${port.containerPort}/${port.protocol ?? 'tcp'}`
    exposed[key] = {}
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.hostIp ?? '127.0.0.1', HostPort: String(port.hostPort) }]
  }
  const seconds = (value: number): number => Math.round(value * 1e9)
  return {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    User: spec.user,
    Tty: spec.tty === true,
    Labels: { ...(spec.labels ?? {}), [MANAGED_LABEL]: '1' },
    ExposedPorts: ports.length > 0 ? exposed : undefined,
    Healthcheck:
      spec.healthcheck === undefined
        ? undefined
        : {
            Test: spec.healthcheck.test,
            Interval: seconds(spec.healthcheck.intervalSeconds),
            Timeout: seconds(spec.healthcheck.timeoutSeconds),
            Retries: spec.healthcheck.retries,
            StartPeriod: seconds(spec.healthcheck.startPeriodSeconds ?? 0)
          },
    HostConfig: {
      NetworkMode: spec.network === 'host' ? 'host' : undefined,
      PortBindings: ports.length > 0 ? bindings : undefined,
      Mounts: mounts.length > 0 ? mounts : undefined
    }
  }
}
