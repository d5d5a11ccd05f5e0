export {
  checkClientCertificate,
  parseCertificateBundle,
  subjectAltNameEmails,
  subjectEmail,
  type ClientCertificateCheck,
  type ClientCertificateProblem,
} from './client-certificate.js';
