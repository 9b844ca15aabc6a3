import { z } from 'zod'

/**
 * The names Rampart takes from operators and files, each rule written once: the contract's
 * inputs, the workspace file and the Docker adapter check a name against these.
 */

const FLAG_NAME_MESSAGE = 'a flag name is letters, digits, "_", "." or "-" (at most 100)'
export const FlagNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, FLAG_NAME_MESSAGE)

/** What the workspace file may call an environment (a key of `environments`). */
const ENVIRONMENT_NAME_MESSAGE = 'an environment name is letters, digits, "_" or "-" (at most 64)'
export const EnvironmentNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, ENVIRONMENT_NAME_MESSAGE)

/**
 * An environment a request names. Looser than EnvironmentNameSchema on purpose: a name the
 * workspace does not define is refused by the lookup, whose message lists the names there are.
 */
export const RequestedEnvironmentSchema = z.string().min(1).max(64)

/** Container names and ids: anything else would be pasted into a Docker API request path. */
const CONTAINER_NAME_MESSAGE = 'a container name is letters, digits, "_", "." or "-"'
export const ContainerNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, CONTAINER_NAME_MESSAGE)

/** An image to pull or run, such as node:18-slim or rampart-fixture/node:18. */
const IMAGE_REFERENCE_MESSAGE = 'must be an image reference such as node:18-slim'
export const ImageReferenceSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,511}$/, IMAGE_REFERENCE_MESSAGE)
