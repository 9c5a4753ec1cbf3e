/**
 * latch's messages are written with `latch` and `LATCH_`; a host CLI that mounts these commands shows
 * its own bin and env prefix instead (see envNames in config.ts). The word latch on its own is the
 * CLI's name too ("another latch process"), but not inside a name such as `DEBUG=latch:http` or
 * package.json's `oclif.latch`; the profile pin file `.latch-profile` is the host's `.acme-profile`.
 */
import {envNames} from '../config.js'

export function rebrand(text: string, bin: string): string {
  if (bin === 'latch') return text
  const prefix = envNames(bin).token.slice(0, -'TOKEN'.length)
  return text
    .replaceAll(/\bLATCH_/g, prefix)
    .replaceAll('.latch-profile', `.${bin}-profile`)
    .replaceAll(/(?<![\w.\/-])latch(?![\w:\/-]|\.\w)/g, bin)
}
