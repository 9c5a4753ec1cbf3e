#!/usr/bin/env node
// `npm run mutants`: are the tests able to fail? Each mutation below is a plausible bug in one of
// latch's decision modules. For each one the script edits src/ in place, rebuilds what the tests run
// (the one compiled file in dist/, then the start-up bundle), runs only the test files named for it,
// and puts src/ and dist/ back, also on Ctrl-C or SIGTERM. A mutation is
//   caught  when the named tests fail,
//   missed  when they pass (a test is missing or too weak),
//   stale   when its `find` text does not occur exactly once (the code moved on: fix the mutation).
// Exit code 0 only when every mutation was caught. Too slow for CI; the last result is in
// docs/reliability.md.
//
//   npm run mutants                      all mutations
//   npm run mutants -- --only NAME ...   only these (repeat --only, or give a comma-separated list)
//   npm run mutants -- --list            names, files and test files; runs nothing
//   npm run mutants -- --baseline        first run every named test file unmutated: a mutation is
//                                        "caught" only if its tests pass without it
//
// Rebuilding: unit tests compile src/ themselves (ts-jest); e2e tests spawn bin/run.js, which loads
// dist/ and dist/bundle/. A mutation touches one file, so the script compiles that file alone with
// esbuild (the same transform the bundle uses; tsc is not needed for a one-file edit that changes no
// types) and re-runs scripts/bundle.js: about 0.6 s instead of 7-20 s for `npm run build` (measured
// on the 2-core project machine, idle and busy).
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Each: name, file (under src/, or bin/run.js, which runs uncompiled), find (must occur exactly once), replace, tests (files to run).
 * `also` holds further {find, replace} edits of the same file when one bug needs two edits.
 */
const MUTATIONS = [
  // --- config precedence ---
  {
    name: 'config: stored token beats LATCH_TOKEN',
    file: 'src/config.ts',
    find: 'const token: Resolved<ActiveToken> | undefined = envToken',
    replace: 'const token: Resolved<ActiveToken> | undefined = !stored?.token && envToken',
    tests: ['test/unit/config.test.ts'],
  },
  {
    name: 'config: stored key beats LATCH_ACCESS_KEY',
    file: 'src/config.ts',
    find: 'const accessKey: Resolved<string> | undefined = envKey',
    replace: 'const accessKey: Resolved<string> | undefined = !stored?.access_key && envKey',
    tests: ['test/unit/config.test.ts'],
  },
  {
    name: 'config: LATCH_ISSUER beats --issuer',
    file: 'src/config.ts',
    find: "['flag', '--issuer', options.flags?.issuer?.trim() || undefined],",
    replace: "['flag', '--issuer', readEnv(options.env, names.issuer) ? undefined : options.flags?.issuer?.trim() || undefined],",
    tests: ['test/unit/config.test.ts'],
  },
  {
    name: 'config: an empty env var counts as set',
    file: 'src/config.ts',
    find: 'return value ? value : undefined',
    replace: 'return env[name]',
    tests: ['test/unit/config.test.ts'],
  },
  // --- credential store ---
  {
    name: 'store: read follows symlinks (no O_NOFOLLOW)',
    file: 'src/credentials/store.ts',
    find: 'constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK',
    replace: 'constants.O_RDONLY | constants.O_NONBLOCK',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'store: write in place with no temp file and no rename',
    file: 'src/credentials/store.ts',
    find: "const handle = await fs.open(temporary, 'wx', FILE_MODE)",
    replace: "const handle = await fs.open(this.path, 'w', FILE_MODE)",
    also: [{find: 'await fs.rename(temporary, this.path)', replace: ''}],
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'store: stale-temp cleanup age 0',
    file: 'src/credentials/store.ts',
    find: 'const STALE_TEMP_MS = 60_000',
    replace: 'const STALE_TEMP_MS = 0',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'store: file mode 0644',
    file: 'src/credentials/store.ts',
    find: 'const FILE_MODE = 0o600',
    replace: 'const FILE_MODE = 0o644',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'store: directory mode 0755',
    file: 'src/credentials/store.ts',
    find: 'const DIR_MODE = 0o700',
    replace: 'const DIR_MODE = 0o755',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'store: write replaces a symlink instead of refusing it',
    file: 'src/credentials/store.ts',
    find: "if (stats.isSymbolicLink()) throw this.unusable('is a symbolic link')",
    replace: '',
    tests: ['test/unit/credential-store.test.ts'],
  },
  // --- profiles (issue 17) ---
  {
    name: 'profiles: LATCH_PROFILE beats --profile',
    file: 'src/config.ts',
    find: "if (flag) return {origin: '--profile', reason: 'flag', source: 'flag', value: checkProfileName(flag, '--profile')}",
    replace: "if (flag && !readEnv(input.env, names.profile)) return {origin: '--profile', reason: 'flag', source: 'flag', value: checkProfileName(flag, '--profile')}",
    tests: ['test/unit/profiles.test.ts'],
  },
  {
    name: 'profiles: switch beats the pin file',
    file: 'src/config.ts',
    find: 'const pin = findPin(input.bin, input.cwd ?? process.cwd(), input.onIgnoredPin)',
    replace: 'const pin = input.active === undefined ? findPin(input.bin, input.cwd ?? process.cwd(), input.onIgnoredPin) : undefined',
    tests: ['test/unit/profiles.test.ts'],
  },
  {
    name: 'profiles: a pin file another user owns is used',
    file: 'src/config.ts',
    find: 'if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return {owner: stats.uid}',
    replace: '',
    tests: ['test/unit/profiles.test.ts'],
  },
  {
    name: 'profiles: a refresh writes back the other profiles as read at start',
    file: 'src/auth/active-token.ts',
    find: '  await context.store.write(next)\n  return adopt(context, next, seen.origin)',
    replace:
      '  await context.store.writeFile({...context.credentialsFile!, profiles: {...context.credentialsFile!.profiles, [context.store.profile]: next}})\n  return adopt(context, next, seen.origin)',
    tests: ['test/e2e/profiles.test.ts'],
  },
  {
    name: 'profiles: v1 conversion keeps only the fields latch knows',
    file: 'src/credentials/schema.ts',
    find: 'const {version: _version, ...login} = value',
    replace:
      'const {access_key, api_url, created_at, issuer, token, user} = value\n  const login = JSON.parse(JSON.stringify({access_key, api_url, created_at, issuer, token, user}))',
    tests: ['test/unit/profiles.test.ts'],
  },
  {
    name: 'profiles: logout --all revokes every profile at the selected issuer',
    file: 'src/auth/logout.ts',
    find: 'const outcome = await revokeLogin(context, stored, stored.issuer, `${name}: `)',
    replace: 'const outcome = await revokeLogin(context, stored, context.config.issuer.value, `${name}: `)',
    tests: ['test/e2e/profiles.test.ts'],
  },
  // --- lock ---
  {
    name: 'lock: refresh without the lock',
    file: 'src/auth/active-token.ts',
    find: 'return withCredentialsLock(context.store.path, () => refreshLocked(context, token))',
    replace: 'return refreshLocked(context, token)',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'lock: no re-read of the file under the lock',
    file: 'src/auth/active-token.ts',
    find: 'const current = await context.store.read()\n  if (!current?.token) throw notAuthenticated(context)',
    replace: 'const current = context.credentials\n  if (!current?.token) throw notAuthenticated(context)',
    tests: ['test/unit/active-token.test.ts', 'test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'lock: never taken over from a dead holder',
    file: 'src/credentials/lock.ts',
    find: 'stale: LOCK_STALE_MS,',
    replace: 'stale: 24 * 60 * 60_000,',
    tests: ['test/unit/credentials-lock.test.ts'],
  },
  {
    name: 'lock: a stalled holder crashes when its lock was taken over',
    file: 'src/credentials/lock.ts',
    find: 'onCompromised() {},',
    replace: '',
    tests: ['test/unit/credentials-lock.test.ts'],
  },
  {
    name: 'lock: link writes without the lock',
    file: 'src/credentials/lock.ts',
    find: 'return withCredentialsLock(store.path, async () => {\n    const next = change(await store.read())',
    replace: 'return (async (_path: string, work: () => Promise<StoredCredentials>) => work())(store.path, async () => {\n    const next = change(await store.read())',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'lock: login writes without the lock',
    file: 'src/auth/save-login.ts',
    find: 'context.credentials = await updateCredentials(context.store, credentialsOn)',
    replace: 'await context.store.write(credentialsOn(context.credentials))',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'lock: logout removes the file without the lock',
    file: 'src/auth/logout.ts',
    find: 'await withCredentialsLock(context.store.path, () => context.store.remove())',
    replace: 'await context.store.remove()',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  // --- device-flow polling ---
  {
    name: 'device flow: ignore the server interval',
    file: 'src/oauth/device-flow.ts',
    find: 'client.pollDeviceAuthorizationGrant(config, code.response,',
    replace: 'client.pollDeviceAuthorizationGrant(config, {...code.response, interval: 1},',
    tests: ['test/unit/device-polling.test.ts'],
  },
  // --- refresh ---
  {
    name: 'refresh: no margin so only after expiry',
    file: 'src/auth/active-token.ts',
    find: 'export const REFRESH_MARGIN_SECONDS = 60',
    replace: 'export const REFRESH_MARGIN_SECONDS = 0',
    tests: ['test/unit/active-token.test.ts'],
  },
  {
    name: 'refresh: keep the dead token after invalid_grant',
    file: 'src/auth/active-token.ts',
    find: 'const {token: _dead, ...kept} = current',
    replace: 'const kept = current',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'refresh: keep the old refresh token after rotation',
    file: 'src/auth/active-token.ts',
    find: 'refresh_token: outcome.tokens.refreshToken,',
    replace: 'refresh_token: stored.refresh_token,',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  // --- revocation ---
  {
    name: 'revocation: the access token is not revoked when the refresh token was',
    file: 'src/auth/logout.ts',
    find: "const outcome = await revokeToken(server, accessToken, 'access_token')",
    replace: "const outcome = refreshToken ? {ok: true} : await revokeToken(server, accessToken, 'access_token')",
    tests: ['test/e2e/commands.test.ts'],
  },
  {
    name: 'revocation: a failure is reported as revoked',
    file: 'src/auth/logout.ts',
    find: "return outcome.ok ? {revoked: 'revoked'} : {revocation_error: outcome.reason, revoked: 'failed'}",
    replace: "return {revoked: 'revoked'}",
    tests: ['test/e2e/commands.test.ts'],
  },
  // --- scopes ---
  {
    name: 'scopes: --reset-scopes ignored (always the union)',
    file: 'src/auth/device-login.ts',
    find: 'const kept = options.resetScopes ? [] :',
    replace: 'const kept =',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'scopes: no union (a new login drops the current scopes)',
    file: 'src/auth/device-login.ts',
    find: 'const scopes = [...asked, ...kept]',
    replace: 'const scopes = asked',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'scopes: kept across issuers',
    file: 'src/auth/scopes.ts',
    find: "if (!credentials || !sameIssuer(credentials.issuer, issuer) || credentials.token?.type !== 'oauth') return []",
    replace: "if (!credentials || credentials.token?.type !== 'oauth') return []",
    tests: ['test/unit/scope-upgrade.test.ts'],
  },
  // --- error codes ---
  {
    name: 'exit codes: token_invalid 4',
    file: 'src/errors.ts',
    find: 'token_invalid: 5,',
    replace: 'token_invalid: 4,',
    tests: ['test/e2e/token-lifecycle.test.ts'],
  },
  {
    name: 'exit codes: credentials_file 1',
    file: 'src/errors.ts',
    find: 'credentials_file: 10,',
    replace: 'credentials_file: 1,',
    tests: ['test/e2e/credentials-file.test.ts'],
  },
  {
    name: 'exit codes: login_denied 1',
    file: 'src/errors.ts',
    find: 'login_denied: 8,',
    replace: 'login_denied: 1,',
    tests: ['test/e2e/login-device.test.ts'],
  },
  {
    name: 'exit codes: cancelled 1',
    file: 'src/errors.ts',
    find: 'cancelled: 130,',
    replace: 'cancelled: 1,',
    tests: ['test/e2e/login-device.test.ts'],
  },
  // --- terminal restore ---
  {
    name: 'terminal: the cursor is not shown again after Ctrl-C',
    file: 'src/ui/device-screen.ts',
    find: 'this.options.stream.write(this.eraseStatus() + SHOW_CURSOR)',
    replace: 'this.options.stream.write(this.eraseStatus())',
    tests: ['test/unit/device-screen.test.ts'],
  },
  {
    name: 'terminal: stop() leaves the status line',
    file: 'src/ui/device-screen.ts',
    find: 'this.options.stream.write(this.eraseStatus() + SHOW_CURSOR)',
    replace: 'this.options.stream.write(SHOW_CURSOR)',
    tests: ['test/unit/device-screen.test.ts'],
  },
  {
    name: 'terminal: Ctrl-C leaves the status line until the command ends',
    file: 'src/ui/device-screen.ts',
    find: 'private readonly onAbort = () => this.stop()',
    replace: 'private readonly onAbort = () => {}',
    tests: ['test/unit/device-screen.test.ts'],
  },
  // --- fast path equivalence ---
  {
    name: 'fast path: every error exits 1',
    file: 'src/fast-path.ts',
    find: 'process.exitCode = described.exit',
    replace: 'process.exitCode = 1',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  {
    name: 'fast path: whoami --json left to oclif',
    file: 'src/fast-path.ts',
    find: "const json = rest.length === 1 && rest[0] === '--json'",
    replace: 'const json = false',
    tests: ['test/e2e/startup-path.test.ts'],
  },
  {
    name: 'fast path: compact JSON',
    file: 'src/fast-path.ts',
    find: 'print(json ? terminalSafeJson(JSON.stringify(report, null, 2)) : text())',
    replace: 'print(json ? terminalSafeJson(JSON.stringify(report)) : text())',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  // --- issuer binding (issue 10 §1) ---
  {
    name: 'issuer binding: stored credentials used with another issuer',
    file: 'src/config.ts',
    find: 'if (!stored?.mismatch) return',
    replace: 'return',
    tests: ['test/e2e/trust-boundaries.test.ts'],
  },
  {
    name: 'issuer binding: a trailing slash makes another server',
    file: 'src/config.ts',
    find: "return new URL(raw).href.replace(/\\/$/, '')",
    replace: 'return raw',
    tests: ['test/unit/trust.test.ts'],
  },
  {
    name: 'logout: revokes at the configured issuer instead of the stored one',
    file: 'src/auth/logout.ts',
    find: 'const issuer = context.config.stored?.issuer ?? stored.issuer',
    replace: 'const issuer = context.config.issuer.value',
    tests: ['test/e2e/trust-boundaries.test.ts'],
  },
  {
    name: 'discovery: endpoints not held to the issuer rule',
    file: 'src/oauth/server.ts',
    find: 'if (value === undefined) continue',
    replace: 'continue',
    tests: ['test/e2e/trust-boundaries.test.ts'],
  },
  // --- terminal safety, device-flow bounds, local files, child processes (issue 10 §2-4) ---
  {
    name: 'terminal: server text printed raw',
    file: 'src/ui/terminal-text.ts',
    find: "return cut.replaceAll(UNSAFE, (char) => `\\\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)",
    replace: 'return cut',
    tests: ['test/unit/trust.test.ts'],
  },
  {
    name: 'device flow: a sub-second interval is obeyed',
    file: 'src/oauth/device-flow.ts',
    find: 'return Math.max(1, Math.ceil(interval))',
    replace: 'return interval',
    tests: ['test/unit/trust.test.ts'],
  },
  {
    name: 'tokens: an absurd lifetime is not capped',
    file: 'src/oauth/device-flow.ts',
    find: 'Math.min(expiresIn, MAX_TOKEN_LIFETIME_SECONDS)',
    replace: 'expiresIn',
    tests: ['test/unit/trust.test.ts'],
  },
  {
    name: 'child processes: secrets kept in their environment',
    file: 'src/config.ts',
    find: 'if (value !== undefined && !secrets.has(key)) result[key] = value',
    replace: 'if (value !== undefined) result[key] = value',
    tests: ['test/unit/trust.test.ts'],
  },
  {
    name: 'config dir: writable by others accepted',
    file: 'src/credentials/store.ts',
    find: 'if ((stats.mode & 0o022) !== 0) {',
    replace: 'if (false) {',
    tests: ['test/e2e/trust-boundaries.test.ts'],
  },
  {
    name: 'credentials file: a second hard link accepted',
    file: 'src/credentials/store.ts',
    find: 'if (stats.nlink > 1) throw',
    replace: 'if (false) throw',
    tests: ['test/e2e/trust-boundaries.test.ts'],
  },
  {
    name: 'config dir: a relative path accepted',
    file: 'src/config.ts',
    find: 'if (isAbsolute(expanded)) return expanded',
    replace: 'return expanded',
    tests: ['test/unit/trust.test.ts'],
  },
  // --- real servers (issue 11 §1) ---
  {
    name: 'refresh: a bare 4xx is taken for a network failure (dead token kept)',
    file: 'src/oauth/refresh.ts',
    find: 'if (status !== undefined && status >= 400 && status < 500) return',
    replace: 'if (false) return',
    tests: ['test/e2e/interop.test.ts'],
  },
  {
    name: 'refresh: margin is always 60 s whatever the lifetime',
    file: 'src/auth/active-token.ts',
    find: 'const margin = lifetime > 0 ? Math.min(REFRESH_MARGIN_SECONDS, lifetime / 2) : REFRESH_MARGIN_SECONDS',
    replace: 'const margin = REFRESH_MARGIN_SECONDS',
    tests: ['test/unit/active-token.test.ts'],
  },
  {
    name: 'refresh: no renewal and retry after a 401',
    file: 'src/auth/active-token.ts',
    find: 'if (!(error instanceof LatchError && error.kind === ErrorKind.TokenInvalid) || !canRefresh(context, token)) throw error',
    replace: 'throw error',
    tests: ['test/e2e/interop.test.ts'],
  },
  {
    name: 'userinfo: a bare 401 is not a bad token',
    file: 'src/auth/identity.ts',
    find: ' || httpStatusOf(error) === 401',
    replace: '',
    tests: ['test/e2e/interop.test.ts'],
  },
  {
    name: 'login: scopes not granted are not reported',
    file: 'src/auth/device-login.ts',
    find: 'const notGranted = scopes.filter((scope) => !tokens.scopes.includes(scope))',
    replace: 'const notGranted: string[] = []',
    tests: ['test/e2e/interop.test.ts'],
  },
  {
    name: 'whoami: a failed project lookup loses the identity',
    file: 'src/auth/whoami.ts',
    find: 'projectError = error.toJSON().error',
    replace: 'throw error',
    tests: ['test/e2e/interop.test.ts'],
  },
  {
    name: 'debug trace: query values printed',
    file: 'src/debug-log.ts',
    find: "if (!PLAIN_PARAMETERS.has(name)) parsed.searchParams.set(name, 'redacted')",
    replace: '',
    tests: ['test/unit/debug-log.test.ts'],
  },
  // --- first hour (issue 12) ---
  {
    name: 'login: writability checked only after approval',
    file: 'src/auth/device-login.ts',
    find: 'await context.store.checkWritable()',
    replace: '',
    tests: ['test/reliability/local-faults.test.ts'],
  },
  {
    name: 'logout: No at the prompt is an error',
    file: 'src/auth/logout.ts',
    find: "Ctrl-C at the prompt is still \"Cancelled\", 130.\n      context.note('Nothing changed.')",
    replace: "Ctrl-C at the prompt is still \"Cancelled\", 130.\n      throw new LatchError(ErrorKind.Cancelled, 'Logout cancelled')",
    tests: ['test/e2e/terminal.test.ts'],
  },
  // --- the emulator (issue 10 §5, issue 11 §2) ---
  {
    name: 'emulator: any Host header served (DNS rebinding)',
    file: 'src/emulator/server.ts',
    find: 'if (!origins.allowsHost(req.headers.host)) {',
    replace: 'if (false) {',
    tests: ['test/emulator/exposure.test.ts'],
  },
  {
    name: 'emulator: control API takes text/plain (CSRF)',
    file: 'src/emulator/control-api.ts',
    find: "if (type !== 'application/json') {",
    replace: 'if (false) {',
    tests: ['test/emulator/exposure.test.ts'],
  },
  {
    name: 'emulator: polling too fast never answered slow_down',
    file: 'src/emulator/device-polling.ts',
    find: 'const slowDown = tooSoon || current.polls <= options.forcedPolls',
    replace: 'const slowDown = current.polls <= options.forcedPolls',
    tests: ['test/emulator/slow-down.test.ts'],
  },
  // --- root help rendered at build time (bin/run.js, scripts/root-help.js) ---
  {
    name: 'help: the saved root help on a terminal too',
    file: 'bin/run.js',
    find: 'if (fstatSync(1).isCharacterDevice()) return',
    replace: 'fstatSync(1)',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  {
    name: 'help: the saved root help despite FORCE_COLOR',
    file: 'bin/run.js',
    find: "['DEBUG', 'FORCE_COLOR', 'LATCH_DEBUG', 'OCLIF_COLUMNS']",
    replace: "['DEBUG', 'LATCH_DEBUG', 'OCLIF_COLUMNS']",
    tests: ['test/e2e/fast-path.test.ts'],
  },
  {
    name: 'help: the saved root help whatever plugin versions are installed',
    file: 'bin/run.js',
    find: 'if (!saved.plugins.every((plugin) => installedVersion(plugin.name) === plugin.version)) return',
    replace: '',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  {
    name: 'help: the saved root help despite user plugins in the data dir',
    file: 'bin/run.js',
    find: "if (!missing(join(data, 'package.json'))) return",
    replace: '',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  // --- latch in a host CLI (plugin, library, replaceable context) ---
  {
    name: "plugin: the host's default API URL wins over the issuer the user chose",
    file: 'src/config.ts',
    find: "defaults.apiUrl && issuer.source === 'default'",
    replace: 'defaults.apiUrl',
    tests: ['test/plugin/host-cli.test.ts'],
  },
  {
    name: 'plugin: the emulator runs in a host that did not opt in',
    file: 'src/commands/emulator.ts',
    find: 'if (!emulatorAllowed(this.hostSettings())) {',
    replace: 'if (false) {',
    tests: ['test/commands/error-matrix.test.ts'],
  },
  {
    name: "plugin: login checks scopes against latch's catalogue instead of the host's",
    file: 'src/auth/device-login.ts',
    find: 'scopesToRequest(options.scopes, context.config.scopes.value, context.brand.scopes)',
    replace: 'scopesToRequest(options.scopes, context.config.scopes.value)',
    tests: ['test/commands/error-matrix.test.ts', 'test/plugin/host-cli.test.ts'],
  },
  {
    name: 'plugin: notes say latch inside a host CLI',
    file: 'src/context.ts',
    find: 'wrapFor(stream, rebrand(message, options.bin))',
    replace: 'wrapFor(stream, message)',
    tests: ['test/commands/error-matrix.test.ts'],
  },
  {
    name: "plugin: renewal ignores the context's clock",
    file: 'src/auth/active-token.ts',
    find: 'if (!refreshDue(token.value.expiresAt, token.value.issuedAt, context.now())) return token',
    replace: 'if (!refreshDue(token.value.expiresAt, token.value.issuedAt)) return token',
    tests: ['test/commands/error-matrix.test.ts'],
  },
  // --- organizations and bots (issue 16 §2) ---
  {
    name: 'orgs: LATCH_ORG beats --org',
    file: 'src/config.ts',
    find: "['flag', '--org', options.flags?.org?.trim() || undefined],",
    replace: "['flag', '--org', readEnv(options.env, names.org) ? undefined : options.flags?.org?.trim() || undefined],",
    tests: ['test/unit/org-config.test.ts'],
  },
  {
    name: 'orgs: the stored default follows a token from LATCH_TOKEN',
    file: 'src/config.ts',
    find: "['file', path, token?.source === 'file' && !mismatch ? stored?.org : undefined],",
    replace: "['file', path, !mismatch ? stored?.org : undefined],",
    tests: ['test/unit/org-config.test.ts'],
  },
  {
    name: 'orgs: a bot key in LATCH_TOKEN taken for an OAuth token',
    file: 'src/config.ts',
    find: "return token.startsWith('sk_bot_') ? 'bot_key' : 'oauth'",
    replace: "return 'oauth'",
    tests: ['test/unit/org-config.test.ts'],
  },
  {
    name: 'orgs: rotate revokes the old key without verifying the new one',
    file: 'src/orgs/bots.ts',
    find: "() => verifyBotKey(context, created.key, bot),",
    replace: '() => Promise.resolve(),',
    tests: ['test/e2e/orgs.test.ts'],
  },
  {
    name: 'orgs: bots delete without a terminal goes ahead unasked',
    file: 'src/orgs/bots.ts',
    find: 'if (options.force) return true',
    replace: 'if (options.force || !context.stdin.isTTY) return true',
    tests: ['test/e2e/orgs.test.ts'],
  },
  // --- networks: proxies, certificate authorities, doctor, the browser on WSL (issue 18) ---
  {
    name: 'network: HTTP_PROXY carries https requests',
    file: 'src/transport.ts',
    find: 'const https = make(proxies.https)',
    replace: 'const https = make(proxies.https ?? proxies.http)',
    tests: ['test/e2e/network-proxy.test.ts'],
  },
  {
    name: 'network: the CA file replaces Node trusted roots instead of adding to them',
    file: 'src/transport.ts',
    find: "return [...base, nodeFs.readFileSync(caFile, 'utf8')]",
    replace: "return [nodeFs.readFileSync(caFile, 'utf8')]",
    tests: ['test/e2e/network-tls.test.ts'],
  },
  {
    name: 'network: a certificate failure reported as a network error',
    file: 'src/oauth/errors.ts',
    find: 'if (tls) return new LatchError(ErrorKind.Tls,',
    replace: 'if (tls) return new LatchError(ErrorKind.Network,',
    tests: ['test/e2e/network-tls.test.ts'],
  },
  {
    name: 'doctor: clock skew fails only over twice the bound',
    file: 'src/doctor/checks.ts',
    find: 'if (Math.abs(skew) > SKEW_FAIL_SECONDS) return failed(words, fix)',
    replace: 'if (Math.abs(skew) > 2 * SKEW_FAIL_SECONDS) return failed(words, fix)',
    tests: ['test/unit/network.test.ts'],
  },
  {
    name: 'browser: WSL without interop still tries to open',
    file: 'src/ui/browser.ts',
    find: 'return inWsl.interop',
    replace: 'return true',
    tests: ['test/unit/device-screen.test.ts'],
  },
  // --- issue 15: managed tokens and keys, LATCH_API_KEY ---
  {
    name: 'tokens: rotate revokes the old one before verifying the new one',
    file: 'src/manage/rotate.ts',
    find: 'await verify(context, kind, created.secret)',
    replace: 'await session.api.revoke(session.credential, old.id)\n      await verify(context, kind, created.secret)',
    tests: ['test/e2e/tokens.test.ts'],
  },
  {
    name: 'tokens: stored login beats LATCH_API_KEY',
    file: 'src/config.ts',
    find: 'const apiKey: Resolved<string> | undefined = !envToken && envApiKey',
    replace: 'const apiKey: Resolved<string> | undefined = !envToken && !stored?.token && envApiKey',
    tests: ['test/unit/config.test.ts'],
  },
  {
    name: 'tokens: LATCH_API_KEY beats LATCH_TOKEN',
    file: 'src/config.ts',
    find: 'const apiKey: Resolved<string> | undefined = !envToken && envApiKey',
    replace: 'const apiKey: Resolved<string> | undefined = envApiKey',
    tests: ['test/unit/config.test.ts'],
  },
  {
    name: 'tokens: no re-read of the exchange cache under the lock (one exchange per process)',
    file: 'src/auth/api-key-exchange.ts',
    find: 'const again = usable(await readCache(store))',
    replace: 'const again = undefined as ResolvedToken | undefined',
    tests: ['test/e2e/api-keys.test.ts'],
  },
  {
    name: 'tokens: a 65-character name accepted',
    file: 'src/manage/input.ts',
    find: 'if (length > MAX_NAME_LENGTH) throw',
    replace: 'if (length > MAX_NAME_LENGTH + 1) throw',
    tests: ['test/unit/manage-input.test.ts'],
  },
  // --- the platform API's credentials, organizations and bots (issues 15 and 16) ---
  {
    name: 'server: a credential may give scopes it lacks (escalation)',
    file: 'src/emulator/credentials-api.ts',
    find: 'const missing = scopes.filter((scope) => !caller.scopes.includes(scope))',
    replace: 'const missing = scopes.filter((scope) => !caller.scopes.includes(scope) && caller.token.type === \'pat\')',
    tests: ['test/emulator/credentials-api.test.ts'],
  },
  {
    name: 'server: a revoked API key still backs its exchanged tokens',
    file: 'src/emulator/token-exchange.ts',
    find: 'return key && this.#secrets.isLive(key) ? key : undefined',
    replace: 'return key',
    also: [{find: "if (credential.kind !== 'api_key') return", replace: 'return'}],
    tests: ['test/emulator/token-exchange.test.ts'],
  },
  {
    name: 'server: a member may create bots and bot keys',
    file: 'src/emulator/access.ts',
    find: "if (roleOf(account, org) !== 'admin') {",
    replace: 'if (roleOf(account, org) === undefined) {',
    tests: ['test/emulator/organizations.test.ts'],
  },
  {
    name: 'server: a PAT made in one organization acts in another',
    file: 'src/emulator/access.ts',
    find: 'if (caller.boundOrg && caller.boundOrg.id !== org.id) {',
    replace: "if (caller.boundOrg && caller.principal.kind === 'bot' && caller.boundOrg.id !== org.id) {",
    tests: ['test/emulator/organizations.test.ts', 'test/emulator/credentials-api.test.ts'],
  },
  {
    name: 'server: deleting a bot leaves its keys alive',
    file: 'src/emulator/bots-api.ts',
    find: 'for (const key of keys) this.#secrets.markRevoked(key, now)',
    replace: 'for (const key of keys) void key',
    tests: ['test/emulator/organizations.test.ts'],
  },
  // --- start-up (issue 13 §3) ---
  {
    name: 'perf: fast path notes create process.stderr',
    file: 'src/fast-path.ts',
    find: 'createContext({bin, notesToFd: true, version})',
    replace: 'createContext({bin, version})',
    tests: ['test/e2e/startup-path.test.ts'],
  },
  {
    name: 'perf: notes skip process.stderr on a terminal too',
    file: 'src/context.ts',
    find: 'const direct = options.notesToFd && !options.stderr && !mayBeTerminal(2)',
    replace: 'const direct = options.notesToFd && !options.stderr',
    tests: ['test/e2e/fast-path.test.ts'],
  },
  {
    name: 'perf: a new platform client on every use',
    file: 'src/context.ts',
    find: '      platform ??= parts.platform ?',
    replace: '      platform = parts.platform ?',
    tests: ['test/unit/context-parts.test.ts'],
  },
]

function parseArgs(argv) {
  const options = {baseline: false, list: false, only: []}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--list') options.list = true
    else if (arg === '--baseline') options.baseline = true
    else if (arg === '--only' && argv[i + 1] !== undefined) options.only.push(...argv[++i].split(',').map((name) => name.trim()))
    else if (arg.startsWith('--only=')) options.only.push(...arg.slice('--only='.length).split(',').map((name) => name.trim()))
    else {
      console.error(`Unknown argument ${arg}\nusage: npm run mutants -- [--list] [--baseline] [--only NAME]...`)
      process.exit(2)
    }
  }

  return options
}

/** Every edit of a mutation, each with how often its `find` occurs in `text`. */
function edits(mutation) {
  return [{find: mutation.find, replace: mutation.replace}, ...(mutation.also ?? [])]
}

function count(text, find) {
  return text.split(find).length - 1
}

function mutate(mutation, text) {
  let result = text
  for (const edit of edits(mutation)) {
    if (count(result, edit.find) !== 1) return undefined
    result = result.replace(edit.find, () => edit.replace)
  }

  return result
}

/** dist/x/y.js for src/x/y.ts */
function compiledPathOf(file) {
  return join(root, 'dist', relative('src', file).replace(/\.ts$/, '.js'))
}

// What must be put back, whatever happens: the original text of each touched file.
const originals = new Map()
let child
/** Whether dist/bundle/ was built from a mutated file: true until it is rebuilt from the restored one. */
let bundleMutated = false

function restoreFiles() {
  for (const [path, text] of originals) writeFileSync(path, text)
  originals.clear()
}

/** The root help `npm run build` rendered (scripts/root-help.js) into dist/fast/, which scripts/bundle.js empties. */
const rootHelpPath = join(root, 'dist', 'fast', 'root-help.json')

/**
 * Rebuilds dist/bundle/ and dist/fast/, keeping the saved root help: without it bin/run.js always
 * leaves `--help` to oclif, and a mutation of the saved-help path (bin/run.js) could never be caught.
 */
function rebundle() {
  const rootHelp = existsSync(rootHelpPath) ? readFileSync(rootHelpPath) : undefined
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.js')], {cwd: root, stdio: 'inherit'})
  if (rootHelp) writeFileSync(rootHelpPath, rootHelp)
}

function restoreAll() {
  restoreFiles()
  if (bundleMutated) {
    rebundle()
    bundleMutated = false
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    restoreAll()
    console.error(`\n${signal}: src/ and dist/ restored.`)
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
  })
}

process.on('exit', () => {
  // Last resort after an unexpected throw; the normal path has already restored everything.
  if (originals.size > 0) restoreAll()
})

async function compile(file, source) {
  const {transform} = await import('esbuild')
  const {code} = await transform(source, {format: 'esm', loader: 'ts', platform: 'node', sourcefile: file, target: 'es2022'})
  return code
}

function runJest(tests) {
  return new Promise((resolve) => {
    const started = performance.now()
    const args = ['--experimental-vm-modules', join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--bail', '--silent', ...tests]
    let output = ''
    child = spawn(process.execPath, args, {cwd: root, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => {
      child = undefined
      resolve({code, ms: performance.now() - started, output})
    })
  })
}

function firstFailure(output) {
  const match = /● (.+)/.exec(output)
  if (!match) return ''
  const title = match[1].trim()
  return title.length > 100 ? `${title.slice(0, 99)}…` : title
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`
}

async function runMutation(mutation) {
  const srcPath = join(root, mutation.file)
  const distPath = compiledPathOf(mutation.file)
  const original = readFileSync(srcPath, 'utf8')
  const mutated = mutate(mutation, original)
  if (mutated === undefined) {
    const counts = edits(mutation).map((edit) => count(original, edit.find))
    return {detail: `find text occurs ${counts.join(', ')} time(s), not once`, ms: 0, status: 'stale'}
  }

  const started = performance.now()
  originals.set(srcPath, original)
  // A file outside src/ (bin/run.js) runs as it is: nothing to compile or bundle.
  const compiled = mutation.file.startsWith('src/')
  if (compiled) originals.set(distPath, readFileSync(distPath, 'utf8'))
  try {
    writeFileSync(srcPath, mutated)
    if (compiled) {
      writeFileSync(distPath, await compile(mutation.file, mutated))
      bundleMutated = true
      rebundle()
    }

    const buildMs = performance.now() - started
    const result = await runJest(mutation.tests)
    return {
      buildMs,
      detail: result.code === 0 ? 'the tests passed' : firstFailure(result.output),
      ms: performance.now() - started,
      status: result.code === 0 ? 'missed' : 'caught',
    }
  } finally {
    restoreFiles()
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  const unknown = options.only.filter((name) => !MUTATIONS.some((mutation) => mutation.name === name))
  if (unknown.length > 0) {
    console.error(`No mutation named ${unknown.map((name) => JSON.stringify(name)).join(', ')}; see npm run mutants -- --list`)
    process.exit(2)
  }

  const selected = options.only.length > 0 ? MUTATIONS.filter((mutation) => options.only.includes(mutation.name)) : MUTATIONS
  if (options.list) {
    let stale = 0
    for (const mutation of selected) {
      const applies = mutate(mutation, readFileSync(join(root, mutation.file), 'utf8')) !== undefined
      if (!applies) stale++
      console.log(`${mutation.name}${applies ? '' : '  [STALE: find text not there exactly once]'}\n    ${mutation.file} -> ${mutation.tests.join(' ')}`)
    }

    console.log(`${selected.length} mutations${stale ? `, ${stale} stale` : ''}`)
    process.exitCode = stale ? 1 : 0
    return
  }

  for (const mutation of selected) {
    for (const test of mutation.tests) if (!existsSync(join(root, test))) throw new Error(`${mutation.name}: no test file ${test}`)
  }

  const started = performance.now()
  console.log('Building once from the unmutated source (npm run build)...')
  execFileSync('npm', ['run', '--silent', 'build'], {cwd: root, stdio: 'inherit'})

  if (options.baseline) {
    const files = [...new Set(selected.flatMap((mutation) => mutation.tests))]
    console.log(`Baseline: ${files.length} test files, unmutated...`)
    const baseline = await runJest(files)
    if (baseline.code !== 0) {
      console.error(`The tests fail without any mutation: ${firstFailure(baseline.output)}\nFix them first; a mutation cannot be "caught" by a failing test.`)
      process.exit(1)
    }

    console.log(`Baseline passed in ${seconds(baseline.ms)}.`)
  }

  const rows = []
  for (const [index, mutation] of selected.entries()) {
    process.stdout.write(`[${index + 1}/${selected.length}] ${mutation.name} ... `)
    const result = await runMutation(mutation)
    console.log(`${result.status} (${seconds(result.ms)})${result.status === 'caught' ? '' : `: ${result.detail}`}`)
    rows.push({...result, mutation})
  }

  restoreAll()

  const caught = rows.filter((row) => row.status === 'caught').length
  const width = Math.max(...rows.map((row) => row.mutation.name.length), 8)
  console.log(`\n| ${'mutation'.padEnd(width)} | result | time    | caught by (first failing test) |`)
  console.log(`|${'-'.repeat(width + 2)}|--------|---------|--------------------------------|`)
  for (const row of rows) {
    console.log(`| ${row.mutation.name.padEnd(width)} | ${row.status.padEnd(6)} | ${seconds(row.ms).padStart(7)} | ${row.detail.replaceAll('|', '\\|')} |`)
  }

  console.log(`\nScore: ${caught}/${rows.length} caught (${((100 * caught) / Math.max(rows.length, 1)).toFixed(0)}%), in ${seconds(performance.now() - started)} on Node ${process.version}.`)
  process.exitCode = caught === rows.length ? 0 : 1
}

await main()
