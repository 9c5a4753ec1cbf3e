/**
 * Writing to stdout or stderr without creating process.stdout / process.stderr: for a pipe (what
 * `$(latch token)` reads from, or a script's captured stderr) creating the stream loads the net and
 * stream modules, about 5 ms on Node 24+, for one small write (docs/performance.md).
 */
import {nodeFs} from '../node-fs.js'

/**
 * Writes `text` to `fd` directly; when the pipe is full and non-blocking (EAGAIN), the rest goes
 * through `stream()` (process.stdout or process.stderr), which waits for it.
 */
export function writeDirect(fd: number, text: string, stream: () => NodeJS.WriteStream): void {
  const bytes = Buffer.from(text)
  let offset = 0
  try {
    while (offset < bytes.length) offset += nodeFs.writeSync(fd, bytes, offset)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
    stream().write(bytes.subarray(offset))
  }
}

/**
 * Whether `fd` may be a terminal: a character device (a terminal, or /dev/null), or unknown. A pipe,
 * a socket or a file is not, and text for it is never wrapped or coloured.
 */
export function mayBeTerminal(fd: number): boolean {
  try {
    return nodeFs.fstatSync(fd).isCharacterDevice()
  } catch {
    return true
  }
}
