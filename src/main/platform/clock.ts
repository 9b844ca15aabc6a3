/** Time comes in from outside so that rules and records can be tested at any instant. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
