/**
 * The people the emulator knows. There are no passwords: signing in means picking one of them, which is
 * all a local stand-in for the platform's identity provider needs.
 */
export interface Account {
  /** The stable subject identifier (`sub` in tokens, `id` in the platform API). */
  id: string
  /** What a person types or picks: `--auto-approve alice`, `{"user": "alice"}`. */
  username: string
  name: string
  email: string
}

export const SEEDED_ACCOUNTS: readonly Account[] = [
  {id: 'usr_alice', username: 'alice', name: 'Alice Example', email: 'alice@example.com'},
  {id: 'usr_bob', username: 'bob', name: 'Bob Example', email: 'bob@example.com'},
]

export function findAccountByUsername(username: unknown): Account | undefined {
  if (typeof username !== 'string') return undefined
  return SEEDED_ACCOUNTS.find((account) => account.username === username)
}

export function findAccountById(id: unknown): Account | undefined {
  if (typeof id !== 'string') return undefined
  return SEEDED_ACCOUNTS.find((account) => account.id === id)
}

export function seededUsernames(): string[] {
  return SEEDED_ACCOUNTS.map((account) => account.username)
}
