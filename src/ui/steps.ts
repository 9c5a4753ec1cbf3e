/**
 * The steps a person waits through (discovery, the device code, reading the account, saving), shown
 * the way the platform's own CLI shows them: `⠋ Initiating device authorization...`, then
 * `✔ Initiating device authorization`, and last `✔ Authenticated successfully as ...`.
 *
 * The one place that makes listr2 task lists and chooses how they are shown:
 * - on a terminal (stderr a TTY, TERM not dumb): listr2's default renderer on stderr, one task list per
 *   step, so that nothing of listr2 is on screen while the device screen (src/ui/device-screen.ts) owns
 *   it; listr2 is imported only then, never on the fast paths;
 * - without one (pipes, CI, TERM=dumb): plain lines a log can hold, the step's title as it starts and
 *   its outcome line, no spinner and no escape sequence;
 * - with --json: nothing; stdout's JSON document says how it ended and errors still go to stderr.
 *
 * A failed step keeps its title with a cross; the error itself is printed once, by the command. Ctrl-C
 * (the abort signal) takes the spinner line away at once and gives the cursor back.
 */
import {isInteractive} from './device-screen.js'
import {painter, type Style, useColor} from './style.js'

export interface StepOptions<T> {
  /** The line that says how the step ended (on a terminal it replaces the title; in a log it follows it). */
  done?: (result: T) => string
}

export interface Steps {
  /** Runs `work` as one step titled `title` ("Saving the credentials..."). */
  run<T>(title: string, work: () => Promise<T>, options?: StepOptions<T>): Promise<T>
}

export interface StepsOptions {
  env: Record<string, string | undefined>
  /** --json: no step is shown. */
  json?: boolean
  /** Aborted on Ctrl-C or SIGTERM. */
  signal?: AbortSignal
  stream: NodeJS.WriteStream
}

export function createSteps(options: StepsOptions): Steps {
  if (options.json) return {run: (_title, work) => work()}
  if (!isInteractive(options)) return new PlainSteps(options.stream)
  return new TerminalSteps(options)
}

/** The title as a finished step: "Saving the credentials..." -> "Saving the credentials". */
interface RendererInternals {
  logger: {process: {release(): void}}
  spinner: {stop(): void}
  updater?: {clear(): void; done(): void}
}

function finished(title: string): string {
  return title.replace(/\.\.\.$/, '')
}

class PlainSteps implements Steps {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  async run<T>(title: string, work: () => Promise<T>, options: StepOptions<T> = {}): Promise<T> {
    this.stream.write(`${title}\n`)
    const result = await work()
    if (options.done) this.stream.write(`${options.done(result)}\n`)
    return result
  }
}

class TerminalSteps implements Steps {
  /**
   * Loading starts when the steps are made (before a prompt, or the checks before the first request),
   * so that listr2's ~0.1 s import is mostly over by the first step. A step's work starts once the
   * renderer holds the screen, so that what the work says comes after the step's line.
   */
  private readonly listr = import('listr2')

  constructor(private readonly options: StepsOptions) {
    this.listr.catch(() => {})
  }

  async run<T>(title: string, work: () => Promise<T>, options: StepOptions<T> = {}): Promise<T> {
    const {DefaultRenderer, Listr, ListrDefaultRendererLogLevels: Level, ListrLogger, ProcessOutput} = await this.listr
    const {signal, stream} = this.options
    // Cancelled already: the command is saying so; nothing may be drawn under its error.
    if (signal?.aborted) return work()

    let rendering: StepRenderer | undefined
    /** listr2's default renderer, on stderr whatever stdout is, that can be ended at once (Ctrl-C) and only once. */
    class StepRenderer extends DefaultRenderer {
      static nonTTY = true
      private ended = false

      constructor(...args: ConstructorParameters<typeof DefaultRenderer>) {
        super(...args)
        rendering = this
      }

      /** Ctrl-C: the spinner line goes, the cursor comes back, before the command prints why it stopped. */
      abort(): void {
        if (this.ended) return
        this.ended = true
        // DefaultRenderer's end() without its last frame: listr2 declares these private.
        const own = this as unknown as RendererInternals
        own.spinner.stop()
        own.updater?.clear()
        own.updater?.done()
        own.logger.process.release()
      }

      end(): void {
        if (this.ended) return
        this.ended = true
        super.end()
      }

      update(): void {
        if (!this.ended) super.update()
      }
    }

    const paint = painter(useColor(this.options.env, stream))
    const colored = (style: Style) => (text?: string) => paint(text ?? '', style)
    let result!: T
    const list = new Listr(
      [
        {
          task: async (_context, task) => {
            try {
              result = await work()
            } catch (error) {
              task.title = finished(title)
              throw error
            }

            task.title = options.done ? options.done(result) : finished(title)
          },
          title,
        },
      ],
      {
        exitOnError: true,
        // The command's own handler says "Login cancelled" and restores the terminal (below).
        registerSignalListeners: false,
        renderer: StepRenderer,
        rendererOptions: {
          color: {[Level.COMPLETED]: colored('green'), [Level.FAILED]: colored('red'), [Level.PENDING]: colored('cyan')},
          // The error is printed once, by the command: a failed step keeps its title.
          showErrorMessage: false,
          logger: new ListrLogger({processOutput: new ProcessOutput(stream, stream, {leaveEmptyLine: false}), useIcons: true}),
        },
      },
    )
    const onAbort = () => rendering?.abort()
    signal?.addEventListener('abort', onAbort, {once: true})
    try {
      await list.run()
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }

    return result
  }
}
