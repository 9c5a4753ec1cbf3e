/**
 * The certificates of `latch emulator --https`: a local certificate authority (made once per
 * directory, kept there as ca.pem and ca-key.pem), and a server certificate it signs for the
 * emulator's host names, made fresh at each start. Clients trust ca.pem (LATCH_CA_FILE, --ca-file or
 * NODE_EXTRA_CA_CERTS), exactly as they would trust an organisation's root certificate.
 *
 * A `flaw` makes the server certificate wrong on purpose, for the failures latch must explain:
 * `expired` (valid until yesterday) or `wrong-host` (issued for another name).
 */
import {webcrypto} from 'node:crypto'
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {isIP} from 'node:net'
import {join} from 'node:path'

export type TlsFlaw = 'expired' | 'wrong-host'

export const TLS_FLAWS: readonly TlsFlaw[] = ['expired', 'wrong-host']

export interface EmulatorTls {
  /** The CA certificate's path: what clients are told to trust. */
  caFile: string
  /** The server certificate followed by the CA certificate (the whole chain, as TLS-inspecting proxies send it). */
  cert: string
  key: string
}

const ALGORITHM = {hash: 'SHA-256', name: 'ECDSA', namedCurve: 'P-256'}
const DAY = 24 * 60 * 60 * 1000

export async function emulatorTls(dir: string, hosts: string[], flaw?: TlsFlaw): Promise<EmulatorTls> {
  // @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata polyfill first.
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
  await mkdir(dir, {mode: 0o700, recursive: true})
  const caFile = join(dir, 'ca.pem')
  const caKeyFile = join(dir, 'ca-key.pem')
  const now = Date.now()

  let ca: InstanceType<typeof x509.X509Certificate>
  let caKey: webcrypto.CryptoKey
  try {
    ca = new x509.X509Certificate(await readFile(caFile, 'utf8'))
    caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(await readFile(caKeyFile, 'utf8')), ALGORITHM, false, ['sign'])
    if (ca.notAfter.getTime() < now + DAY) throw new Error('the CA expires')
  } catch {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
    ca = await x509.X509CertificateGenerator.createSelfSigned({
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
      keys,
      name: `CN=latch emulator local CA ${new Date(now).toISOString().slice(0, 10)}, O=latch emulator`,
      notAfter: new Date(now + 365 * DAY),
      notBefore: new Date(now - DAY),
      serialNumber: serial(),
      signingAlgorithm: ALGORITHM,
    })
    caKey = keys.privateKey
    await writeFile(caKeyFile, x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), {mode: 0o600})
    await chmod(caKeyFile, 0o600)
    await writeFile(caFile, ca.toString('pem'), {mode: 0o644})
  }

  const names = flaw === 'wrong-host' ? ['wrong-host.invalid'] : hosts
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const leaf = await x509.X509CertificateGenerator.create({
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((name) => (isIP(name) ? {type: 'ip', value: name} : {type: 'dns', value: name}))),
    ],
    issuer: ca.subject,
    notAfter: flaw === 'expired' ? new Date(now - DAY) : new Date(now + 30 * DAY),
    notBefore: flaw === 'expired' ? new Date(now - 30 * DAY) : new Date(now - 60 * 60 * 1000),
    publicKey: keys.publicKey,
    serialNumber: serial(),
    signingAlgorithm: ALGORITHM,
    signingKey: caKey,
    subject: `CN=${names[0]}`,
  })

  return {
    caFile,
    cert: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`,
    key: x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
  }
}

/** A positive random serial number, as hex. */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0] &= 0x7f
  return Buffer.from(bytes).toString('hex')
}
