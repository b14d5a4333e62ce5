// Dredd hooks: the demo world's credentials on every transaction. CockroachDB: a Bearer
// token. Atlas: HTTP Digest (MD5, qop=auth) from a fresh challenge fetched for each
// transaction, as an Atlas client without a cached nonce does.
const hooks = require('hooks');
const http = require('http');
const crypto = require('crypto');

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const ATLAS_USER = 'atlas-demo-public';
const ATLAS_PASS = 'atlas-demo-private';

function challenge(transaction, cb) {
  const req = http.request(
    {host: transaction.host, port: transaction.port, path: transaction.fullPath, method: 'GET'},
    (res) => {
      res.resume();
      const h = res.headers['www-authenticate'] || '';
      const realm = /realm="([^"]*)"/.exec(h);
      const nonce = /nonce="([^"]*)"/.exec(h);
      if (res.statusCode !== 401 || !realm || !nonce) {
        cb(new Error(`no Digest challenge from ${transaction.fullPath} (${res.statusCode})`));
        return;
      }
      cb(null, realm[1], nonce[1]);
    });
  req.on('error', cb);
  req.end();
}

hooks.beforeEach((transaction, done) => {
  const path = transaction.fullPath;
  if (!path.startsWith('/api/atlas/')) {
    transaction.request.headers['Authorization'] = 'Bearer crdb-demo-key';
    done();
    return;
  }
  transaction.request.headers['Accept'] = 'application/vnd.atlas.2023-01-01+json';
  challenge(transaction, (err, realm, nonce) => {
    if (err) {
      transaction.fail = err.message;
      done();
      return;
    }
    const cnonce = crypto.randomBytes(8).toString('hex');
    const nc = '00000001';
    const ha1 = md5(`${ATLAS_USER}:${realm}:${ATLAS_PASS}`);
    const ha2 = md5(`${transaction.request.method}:${path}`);
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    transaction.request.headers['Authorization'] =
        `Digest username="${ATLAS_USER}", realm="${realm}", nonce="${nonce}", uri="${path}", ` +
        `algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
    done();
  });
});
