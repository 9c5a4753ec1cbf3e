/**
 * How `latch doctor` shows its checks: on a terminal, one listr2 task per check (a spinner while it
 * runs, then ✔ ok, ! warning or ✖ failed with the detail, and the fix on the next line); without one,
 * plain lines a log can hold (`ok       dns: ...`, then `  fix: ...`); with --json, nothing (the
 * command prints the array).
 */
import type {Check, CheckResult} from '../doctor/checks.js'
import {isInteractive} from './device-screen.js'
import {painter, type Style, useColor} from './style.js'

export interface ReportOptions {
  env: Record<string, string | undefined>
  json?: boolean
  stream: NodeJS.WriteStream
}

export async function showChecks(checks: Check[], options: ReportOptions): Promise<CheckResult[]> {
  if (options.json) return runAll(checks, () => {})
  if (!isInteractive(options)) {
    return runAll(checks, (result) => options.stream.write(`${plainLine(result)}\n`))
  }

  return terminal(checks, options)
}

async function runAll(checks: Check[], onResult: (result: CheckResult) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of checks) {
    const result = {check: check.name, ...(await check.run())}
    results.push(result)
    onResult(result)
  }

  return results
}

/** `ok       dns: example.com -> 1.2.3.4`, and `  fix: ...` on the next line for a warning or a failure. */
export function plainLine(result: CheckResult): string {
  const line = `${result.status.padEnd(8)} ${result.check}: ${result.detail}`
  return result.fix ? `${line}\n         fix: ${result.fix}` : line
}

async function terminal(checks: Check[], options: ReportOptions): Promise<CheckResult[]> {
  const {Listr, ListrDefaultRendererLogLevels: Level, ListrLogger, ProcessOutput} = await import('listr2')
  const paint = painter(useColor(options.env, options.stream))
  const colored = (style: Style) => (text?: string) => paint(text ?? '', style)
  const results: CheckResult[] = []
  const list = new Listr(
    checks.map((check) => ({
      task: async (_context: unknown, task: {skip(message?: string): void; title: string}) => {
        const result = {check: check.name, ...(await check.run())}
        results.push(result)
        const title = `${check.name}: ${result.detail}${result.fix ? `\n${paint(`fix: ${result.fix}`, 'dim')}` : ''}`
        if (result.status === 'failed') {
          task.title = title
          throw new Error(result.detail)
        }

        if (result.status === 'warning') task.skip(title)
        else task.title = title
      },
      title: check.title,
    })),
    {
      concurrent: false,
      exitOnError: false,
      registerSignalListeners: true,
      renderer: 'default',
      rendererOptions: {
        collapseSkips: true,
        color: {[Level.COMPLETED]: colored('green'), [Level.FAILED]: colored('red'), [Level.PENDING]: colored('cyan'), [Level.SKIPPED_WITH_COLLAPSE]: colored('yellow')},
        icon: {[Level.SKIPPED_WITH_COLLAPSE]: '!'},
        logger: new ListrLogger({processOutput: new ProcessOutput(options.stream, options.stream, {leaveEmptyLine: false}), useIcons: true}),
        showErrorMessage: false,
        suffixSkips: false,
      },
    },
  )
  await list.run().catch(() => {})
  return results
}
