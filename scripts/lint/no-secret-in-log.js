// ESLint rule: no secret-bearing value reaches a log call — `log(…)` (functions/shared/logging)
// or `console.*`. Secrets never leave (design invariant 6); `redact()` in log.ts masks key-shaped
// text as a last line of defence, but it cannot recognise a header bag or a session token.
//
// Flagged, anywhere in the call's arguments:
//  - a name that says secret: an identifier, property key or member (`authorization`,
//    `x-api-key`, `apiKey`, `headers`, `password`, `sessionToken`, `plaintext`, `key` …);
//  - a value whose TypeScript type is a header bag or key material (Headers,
//    IncomingHttpHeaders, OutgoingHttpHeaders, KeyObject, Credentials, Buffer/Uint8Array), or
//    an object type with such a property, followed three levels deep (so passing a whole
//    record that gained a `headers` field is caught where it is logged).

const SECRET_NAME =
  /^(authorization|proxy-authorization|x-api-key|x-goog-api-key|api[-_]?key|apikey|secret|secret[-_]?access[-_]?key|client[-_]?secret|password|passwd|token|access[-_]?token|session[-_]?token|refresh[-_]?token|bearer|cookie|set-cookie|plaintext|ciphertext|key|key[-_]?material|private[-_]?key|signing[-_]?key|credentials?|headers|raw[-_]?headers)$/i;
const SECRET_TYPE = new Set(['Headers', 'IncomingHttpHeaders', 'OutgoingHttpHeaders', 'HeadersInit', 'KeyObject', 'Credentials', 'AwsCredentialIdentity', 'Buffer', 'Uint8Array']);

export const noSecretInLog = {
  meta: {
    type: 'problem',
    docs: { description: 'No secret-bearing value (headers, keys, tokens, key material) reaches log() or console.*' },
    messages: {
      name: "'{{name}}' reaches a log call: log named, safe fields (an id, a last-4 hint), never keys, tokens or header bags.",
      type: "A value of type {{type}}{{path}} reaches a log call: header bags and key material never go into logs.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    // typescript-eslint's parser services (present when the config has type information).
    const services = context.sourceCode.parserServices?.program ? context.sourceCode.parserServices : undefined;
    const checker = services?.program.getTypeChecker();
    const typeOf = (node) => checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node));

    const isLogCall = (node) =>
      (node.callee.type === 'Identifier' && node.callee.name === 'log') ||
      (node.callee.type === 'MemberExpression' && node.callee.object.type === 'Identifier' && node.callee.object.name === 'console');

    const nameOf = (n) => (n.type === 'Identifier' ? n.name : n.type === 'Literal' && typeof n.value === 'string' ? n.value : undefined);

    /** The first secret-bearing type in `type` (itself, or a property up to `depth` levels down). */
    function secretType(type, depth, seen) {
      if (!type || seen.has(type)) return undefined;
      seen.add(type);
      if (type.isUnion() || type.isIntersection()) {
        for (const t of type.types) {
          const hit = secretType(t, depth, seen);
          if (hit) return hit;
        }
        return undefined;
      }
      const sym = type.getSymbol() ?? type.aliasSymbol;
      const name = sym?.getName();
      if (name && SECRET_TYPE.has(name)) return { type: name, path: '' };
      // Only object types have properties to follow (ObjectType carries objectFlags).
      if (depth === 0 || typeof type.objectFlags !== 'number') return undefined;
      // Library types (Error, Date, Map …) are not ours to open.
      const decl = sym?.getDeclarations()?.[0];
      if (decl && /node_modules|typescript\/lib/.test(decl.getSourceFile().fileName)) return undefined;
      if (checker.isArrayType(type)) return secretType(checker.getTypeArguments(type)[0], depth - 1, seen);
      for (const prop of checker.getPropertiesOfType(type)) {
        if (SECRET_NAME.test(prop.getName())) return { type: name ?? 'object', path: ` (its property '${prop.getName()}')` };
        const hit = secretType(checker.getTypeOfSymbol(prop), depth - 1, seen);
        if (hit) return { type: name ?? 'object', path: ` (via '${prop.getName()}': ${hit.type}${hit.path})` };
      }
      return undefined;
    }

    function visit(node) {
      if (!node || typeof node.type !== 'string') return;
      // A function passed to a log call runs later, elsewhere: not a value being logged.
      if (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') return;
      if (node.type === 'Identifier' && SECRET_NAME.test(node.name)) return context.report({ node, messageId: 'name', data: { name: node.name } });
      if (node.type === 'Property') {
        const key = nameOf(node.key);
        if (key && SECRET_NAME.test(key)) return context.report({ node: node.key, messageId: 'name', data: { name: key } });
        return visit(node.value);
      }
      if (node.type === 'MemberExpression') {
        // `a.b.c` logs the value of c: every name on the chain is checked (req.headers.host is
        // refused too), but the types of a and a.b are not — only the type of what is logged.
        let m = node;
        for (; m.type === 'MemberExpression'; m = m.object) {
          const prop = m.computed ? nameOf(m.property) : m.property.name;
          if (prop && SECRET_NAME.test(prop)) return context.report({ node: m.property, messageId: 'name', data: { name: prop } });
          if (m.computed && m.property.type !== 'Literal') visit(m.property);
        }
        if (m.type === 'Identifier') {
          if (SECRET_NAME.test(m.name)) return context.report({ node: m, messageId: 'name', data: { name: m.name } });
        } else if (m.type !== 'ThisExpression') visit(m);
        if (checker) {
          const hit = secretType(typeOf(node), 3, new Set());
          if (hit) context.report({ node, messageId: 'type', data: hit });
        }
        return;
      }
      if (node.type === 'Literal' || node.type === 'TemplateElement') return;
      if (checker && node.type !== 'ObjectExpression' && node.type !== 'ArrayExpression' && node.type !== 'TemplateLiteral') {
        const hit = secretType(typeOf(node), 3, new Set());
        if (hit) return context.report({ node, messageId: 'type', data: hit });
      }
      for (const [k, v] of Object.entries(node)) {
        if (k === 'parent' || k === 'loc' || k === 'range') continue;
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === 'object') visit(v);
      }
    }

    return {
      CallExpression(node) {
        if (!isLogCall(node)) return;
        // log(level, msg, fields): the level and the message are literals by convention; check all.
        for (const a of node.arguments) visit(a);
      },
    };
  },
};

export default { rules: { 'no-secret-in-log': noSecretInLog } };
