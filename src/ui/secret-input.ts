/**
 * Reading a secret without it ever touching argv or the screen: a hidden prompt on a terminal, or
 * stdin when something is piped in. A pipe that stays silent times out instead of hanging a pipeline.
 */
import {ErrorKind, LatchError} from '../errors.js'

export interface SecretSource {
  /** Seconds to wait for piped input. */
  stdinTimeout: number
  stdin: NodeJS.ReadStream
  stderr: NodeJS.WriteStream
}

const MAX_SECRET_BYTES = 64 * 1024

/** `what` names the secret in prompts and errors ("personal access token"); `pipeExample` shows how to pipe it. */
export async function readSecret(source: SecretSource, what: string, pipeExample: string): Promise<string> {
  const raw = source.stdin.isTTY && source.stderr.isTTY ? await promptHidden(source, what) : await readPipe(source, what, pipeExample)
  // A paste or `echo` adds surrounding whitespace and a newline; anything else is the user's to fix.
  const secret = raw.trim()
  if (!secret) {
    const where = source.stdin.isTTY ? '' : ' (stdin ended without one)'
    throw new LatchError(ErrorKind.Usage, `No ${what} was given${where}`, {hint: `paste it at the prompt, or pipe it in: ${pipeExample}`})
  }

  return secret
}

async function promptHidden(source: SecretSource, what: string): Promise<string> {
  const {default: password} = await import('@inquirer/password')
  try {
    // Said once, in our words: inquirer's own tip ("[input is masked]") is turned off.
    return await password(
      {mask: false, message: `Paste your ${what} (input is hidden):`, theme: {style: {help: () => ''}}},
      {input: source.stdin, output: source.stderr},
    )
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') throw promptCancelled()
    throw error
  }
}

export function promptCancelled(): LatchError {
  return new LatchError(ErrorKind.Cancelled, 'Cancelled', {hint: 'nothing was changed'})
}

function readPipe(source: SecretSource, what: string, pipeExample: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (error?: LatchError) => {
      clearTimeout(timer)
      source.stdin.off('data', onData).off('end', onEnd).off('error', onError)
      source.stdin.pause()
      // Let the process exit even though stdin is still open.
      ;(source.stdin as {unref?: () => void}).unref?.()
      if (error) reject(error)
      else resolve(Buffer.concat(chunks).toString('utf8'))
    }

    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_SECRET_BYTES) finish(new LatchError(ErrorKind.Usage, `The ${what} on stdin is longer than ${MAX_SECRET_BYTES / 1024} KiB`, {hint: `pipe only the ${what}: ${pipeExample}`}))
      else chunks.push(chunk)
    }

    const onEnd = () => finish()
    const onError = () => finish(new LatchError(ErrorKind.Usage, `Could not read the ${what} from stdin`, {hint: pipeExample}))
    const timer = setTimeout(
      () => finish(new LatchError(ErrorKind.Usage, `No ${what} arrived on stdin within ${source.stdinTimeout} s`, {hint: `pipe it in and close the pipe: ${pipeExample}`})),
      source.stdinTimeout * 1000,
    )
    source.stdin.on('data', onData).on('end', onEnd).on('error', onError)
    // Input that has already ended (something read it to the end before us) emits no 'end' again.
    if (source.stdin.readableEnded) onEnd()
    else source.stdin.resume()
  })
}
