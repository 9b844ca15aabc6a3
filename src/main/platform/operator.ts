import { userInfo } from 'node:os'

/** Who the records name for what Rampart does on its own (a guard trip's action, closing what a crash left open). */
export const AUTOMATIC_ACTOR = 'rampart'

/** The OS user, as the records name people; `RAMPART_ACTOR` lets a shared jump host name the person. */
export function operatorName(env: NodeJS.ProcessEnv): string {
  if (env.RAMPART_ACTOR !== undefined && env.RAMPART_ACTOR !== '') return env.RAMPART_ACTOR
  try {
    return userInfo().username
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown'
  }
}
