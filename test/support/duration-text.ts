/**
 * Any duration the console or the CLI prints ("734 ms", "2.41 s", "1.0 s", "3 min 5 s"), as a
 * regular expression source: tests check that a duration is shown, never how long a step took.
 */
export const ANY_DURATION = String.raw`(?:\d+ ms|\d+(?:\.\d+)? s|\d+ min \d+ s)`
