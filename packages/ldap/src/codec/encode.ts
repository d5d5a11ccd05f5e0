/** LDAPMessage to BER (RFC 4511 Appendix B), requests and responses alike. */
import { TagClass, build, encodeElement, type Element } from './ber.js';
import { encodeFilter } from './filter.js';
import { APPLICATION_TAG, type LdapMessage, type LdapResult, type ProtocolOp } from './messages.js';
import { OID } from './oids.js';

const APP = TagClass.application;
const CTX = TagClass.context;

export function encodeMessage(message: LdapMessage): Buffer {
  const parts: Element[] = [build.integer(message.messageId), encodeOp(message.protocolOp)];
  if (message.controls && message.controls.length > 0) {
    parts.push(
      build.constructed(
        CTX,
        0,
        message.controls.map((c) => {
          const fields: Element[] = [build.octets(c.type)];
          if (c.critical) fields.push(build.boolean(true));
          if (c.value) fields.push(build.octets(c.value));
          return build.sequence(fields);
        }),
      ),
    );
  }
  return encodeElement(build.sequence(parts));
}

function result(r: LdapResult): Element[] {
  return [build.enumerated(r.resultCode), build.octets(r.matchedDN), build.octets(r.diagnosticMessage)];
}

function encodeOp(op: ProtocolOp): Element {
  const tag = APPLICATION_TAG[op.op];
  switch (op.op) {
    case 'bindRequest': {
      let auth: Element;
      if (op.auth.kind === 'simple') auth = build.primitive(CTX, 0, op.auth.password);
      else if (op.auth.kind === 'sasl') {
        const sasl = [build.octets(op.auth.mechanism)];
        if (op.auth.credentials) sasl.push(build.octets(op.auth.credentials));
        auth = build.constructed(CTX, 3, sasl);
      } else auth = build.primitive(CTX, op.auth.tag, Buffer.alloc(0));
      return build.constructed(APP, tag, [build.integer(op.version), build.octets(op.name), auth]);
    }
    case 'unbindRequest':
      return build.primitive(APP, tag, Buffer.alloc(0));
    case 'searchRequest':
      return build.constructed(APP, tag, [
        build.octets(op.baseObject),
        build.enumerated(op.scope),
        build.enumerated(op.derefAliases),
        build.integer(op.sizeLimit),
        build.integer(op.timeLimit),
        build.boolean(op.typesOnly),
        encodeFilter(op.filter),
        build.sequence(op.attributes.map((a) => build.octets(a))),
      ]);
    case 'modifyRequest':
      return build.constructed(APP, tag, [build.octets(op.object), build.sequence([])]);
    case 'addRequest':
      return build.constructed(APP, tag, [build.octets(op.entry), build.sequence([])]);
    case 'delRequest':
      return build.primitive(APP, tag, op.entry);
    case 'modifyDNRequest':
      return build.constructed(APP, tag, [build.octets(op.entry), build.octets(''), build.boolean(false)]);
    case 'compareRequest':
      return build.constructed(APP, tag, [
        build.octets(op.entry),
        build.sequence([build.octets('objectClass'), build.octets('top')]),
      ]);
    case 'abandonRequest':
      return build.primitive(APP, tag, build.integerContents(op.messageId));
    case 'extendedRequest': {
      const parts = [build.primitive(CTX, 0, op.name)];
      if (op.value) parts.push(build.primitive(CTX, 1, op.value));
      return build.constructed(APP, tag, parts);
    }
    case 'bindResponse': {
      const parts = result(op);
      if (op.serverSaslCreds) parts.push(build.primitive(CTX, 7, op.serverSaslCreds));
      return build.constructed(APP, tag, parts);
    }
    case 'searchResultEntry':
      return build.constructed(APP, tag, [
        build.octets(op.objectName),
        build.sequence(
          op.attributes.map((a) => build.sequence([build.octets(a.type), build.set(a.values.map((v) => build.octets(v)))])),
        ),
      ]);
    case 'extendedResponse': {
      const parts = result(op);
      if (op.name !== undefined) parts.push(build.primitive(CTX, 10, op.name));
      if (op.value !== undefined) parts.push(build.primitive(CTX, 11, op.value));
      return build.constructed(APP, tag, parts);
    }
    case 'searchResultDone':
    case 'modifyResponse':
    case 'addResponse':
    case 'delResponse':
    case 'modDNResponse':
    case 'compareResponse':
      return build.constructed(APP, tag, result(op));
  }
}

/** RFC 4511 4.4.1: the unsolicited notice sent before the server closes a connection. */
export function noticeOfDisconnection(resultCode: number, diagnosticMessage: string): Buffer {
  return encodeMessage({
    messageId: 0,
    protocolOp: {
      op: 'extendedResponse',
      resultCode,
      matchedDN: '',
      diagnosticMessage,
      name: OID.noticeOfDisconnection,
    },
  });
}
