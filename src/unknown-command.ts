/**
 * Did-you-mean for commands and flags (`closest`, also used by BaseCommand for mistyped flags).
 *
 * unknownCommand is for latch's own bin/run.js only, which turns oclif's "command X not found" into
 * latch's documented usage error (exit 2, one line, a hint that names the closest command), for
 * terminals and scripts alike. latch registers no command_not_found hook and does not bring
 * @oclif/plugin-not-found: a host CLI that mounts latch's commands handles its own unknown commands.
 */
import {ErrorKind, LatchError} from './errors.js'

/** `words`: the command line up to the first flag. `ids`: the commands there are. */
export function unknownCommand(words: string[], ids: string[], bin: string): LatchError {
  if (ids.includes(words[0])) {
    return new LatchError(ErrorKind.Usage, `Unexpected argument for \`${bin} ${words[0]}\`: ${words.slice(1).join(' ')}`, {
      hint: `see \`${bin} ${words[0]} --help\` for what it takes`,
    })
  }

  const guess = closest(words[0] ?? '', ids)
  return new LatchError(ErrorKind.Usage, `Unknown command: ${words.join(' ')}`, {
    hint: guess ? `did you mean \`${bin} ${guess}\`? \`${bin} help\` lists the commands` : `run \`${bin} help\` to see the commands`,
  })
}

/** The candidate nearest to `word` when it is near enough to be a typo (a third of its letters, at least 2), else undefined. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }

  return best
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (`logni` -> `login`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }

  return rows[a.length][b.length]
}
