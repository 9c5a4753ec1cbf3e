import {promptCancelled} from './secret-input.js'

/** A yes/no question on the terminal that defaults to No. */
export async function confirm(message: string, streams: {stderr: NodeJS.WriteStream; stdin: NodeJS.ReadStream}): Promise<boolean> {
  const {default: ask} = await import('@inquirer/confirm')
  try {
    return await ask({default: false, message}, {input: streams.stdin, output: streams.stderr})
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') throw promptCancelled()
    throw error
  }
}
