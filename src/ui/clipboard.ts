/**
 * Copying the device code with the system's own clipboard tool. The text goes to the tool on stdin,
 * never in argv (where `ps` would show it); the first tool that exists is used.
 */
import {spawn} from 'node:child_process'

export interface ClipboardTool {
  args: string[]
  command: string
}

/** The tools to try, best first, for this platform and session. */
export function clipboardTools(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): ClipboardTool[] {
  if (platform === 'darwin') return [{args: [], command: 'pbcopy'}]
  if (platform === 'win32') return [{args: [], command: 'clip'}]
  const tools: ClipboardTool[] = []
  if (env.WAYLAND_DISPLAY) tools.push({args: [], command: 'wl-copy'})
  if (env.DISPLAY) tools.push({args: ['-selection', 'clipboard'], command: 'xclip'}, {args: ['--clipboard', '--input'], command: 'xsel'})
  if (env.WSL_DISTRO_NAME) tools.push({args: [], command: 'clip.exe'})
  return tools
}

const TOOL_TIMEOUT_MS = 3000

/** Resolves to undefined once copied, or to the reason it could not be. Never rejects. */
export async function copyToClipboard(text: string, env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  const tools = clipboardTools(env, platform)
  if (tools.length === 0) return 'no clipboard in this session'
  for (const tool of tools) {
    // eslint-disable-next-line no-await-in-loop
    const outcome = await runTool(tool, text, env)
    if (outcome !== 'missing') return outcome
  }

  return `none of ${tools.map((tool) => tool.command).join(', ')} is installed`
}

function runTool(tool: ClipboardTool, text: string, env: Record<string, string | undefined>): Promise<'missing' | string | undefined> {
  return new Promise((resolve) => {
    // xclip and wl-copy fork a child that keeps the selection: wait for the exit, not for the pipes.
    const child = spawn(tool.command, tool.args, {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'ignore', 'ignore']})
    const timer = setTimeout(() => {
      child.kill()
      resolve(`${tool.command} did not finish within ${TOOL_TIMEOUT_MS / 1000} s`)
    }, TOOL_TIMEOUT_MS)
    timer.unref()
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve(error.code === 'ENOENT' ? 'missing' : `${tool.command}: ${error.message}`)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code === 0 ? undefined : `${tool.command} exited with ${signal ?? code}`)
    })
    child.stdin.on('error', () => {})
    child.stdin.end(text)
  })
}
