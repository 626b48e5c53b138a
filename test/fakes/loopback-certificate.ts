import { generate } from 'selfsigned';

/** A self-signed server certificate for 127.0.0.1, valid for a day: the TLS of the fakes that Azure serves over https. */
export async function loopbackCertificate(): Promise<{ cert: string; key: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
