/**
 * A container's or an image's `Config` as the engine reports it: the fields read here are named,
 * the rest is copied as it is (dockerode's inspect types fit this shape).
 */
export type EngineConfig = Record<string, unknown> & {
  Hostname?: string
  Env?: string[] | null
  Labels?: Record<string, string> | null
}

/** The parts of a container's inspect answer that a copy of it is made from. */
export interface InspectedContainer {
  Id: string
  Config: EngineConfig
  HostConfig: { NetworkMode?: string }
  NetworkSettings: { Networks?: Record<string, { Aliases?: string[] | null; IPAMConfig?: unknown }> }
}

/** The create body for a copy of `source` running `image` (see DockerEngine.createContainerLike). */
export function containerLikeBody(
  source: InspectedContainer,
  imageDefaults: Partial<EngineConfig>,
  image: string
): Record<string, unknown> {
  const config = source.Config
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
  const fromImage = new Set(imageDefaults.Env ?? [])
  const labels = Object.fromEntries(
    Object.entries(config.Labels ?? {}).filter(([key, value]) => imageDefaults.Labels?.[key] !== value)
  )
  const ownOnly = (key: string): unknown => (same(config[key], imageDefaults[key]) ? undefined : config[key])
  const networkMode = source.HostConfig.NetworkMode ?? ''
  const endpoint = source.NetworkSettings.Networks?.[networkMode]
  const shortId = source.Id.slice(0, 12)
  return {
    ...config,
    // Docker's default hostname is the old container's short id; the new one gets its own.
    Hostname: config.Hostname === shortId ? undefined : config.Hostname,
    Image: image,
    Env: (config.Env ?? []).filter((entry) => !fromImage.has(entry)),
    Labels: labels,
    Cmd: ownOnly('Cmd'),
    Entrypoint: ownOnly('Entrypoint'),
    WorkingDir: ownOnly('WorkingDir'),
    User: ownOnly('User'),
    Volumes: ownOnly('Volumes'),
    Healthcheck: ownOnly('Healthcheck'),
    StopSignal: ownOnly('StopSignal'),
    HostConfig: source.HostConfig,
    // A user-defined network keeps its aliases; host and the default bridge need nothing here.
    NetworkingConfig:
      endpoint === undefined || ['host', 'bridge', 'default', 'none', ''].includes(networkMode)
        ? undefined
        : {
            EndpointsConfig: {
              [networkMode]: {
                Aliases: (endpoint.Aliases ?? []).filter((alias) => alias !== shortId),
                IPAMConfig: endpoint.IPAMConfig ?? undefined
              }
            }
          }
  }
}
