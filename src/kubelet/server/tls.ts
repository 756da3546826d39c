// The kubelet server's serving certificate: self-signed, made fresh at each start. kube-apiserver does not verify
// kubelet serving certificates unless told to (--kubelet-certificate-authority), and neither do we; the bearer
// token is what keeps strangers out.
import { isIP } from 'node:net';

export async function selfSignedCert(host: string): Promise<{ cert: string; key: string }> {
  await import('reflect-metadata'); // @peculiar/x509's tsyringe needs it loaded first
  const x509 = await import('@peculiar/x509');
  const { webcrypto } = await import('node:crypto');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const names = [...new Set([host, 'localhost', '127.0.0.1'])].filter(Boolean);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`kubeloop-kubelet@${host}`] }],
    keys,
    notBefore: new Date(now - 3600 * 1000),
    notAfter: new Date(now + 365 * 24 * 3600 * 1000),
    signingAlgorithm: alg,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }))),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}
