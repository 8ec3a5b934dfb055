// A real OpenID Connect provider (node-oidc-provider) on 127.0.0.1 for Groundswell's SSO tests.
//
// Configuration comes as JSON in GS_OIDC_CONFIG:
//   {"clients": [{"client_id", "client_secret", "redirect_uri_prefixes": ["http://127.0.0.1:", ...]}],
//    "users": {"<email>": {"password", "name", "department", "email_verified"}}}
// The provider listens on a free port and prints one JSON line {"issuer": "http://127.0.0.1:<port>"} once it
// serves requests. The sign-in page is a plain form (email + password); consent is granted automatically.
// Redirect URIs are allowed by prefix because the Django test servers' ports and workspace ids vary per test.
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.GS_OIDC_MODULES;
const { default: Provider } = await import(
  pathToFileURL(path.join(modules, "node_modules", "oidc-provider", "lib", "index.js")).href
);
const config = JSON.parse(process.env.GS_OIDC_CONFIG || "{}");
const users = config.users || {};
const prefixes = {};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((c) => {
    prefixes[c.client_id] = c.redirect_uri_prefixes || [];
    return {
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [`${issuer}/unused-callback`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    };
  }),
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "department"],
  },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ["groundswell-test-cookie-key"] },
  pkce: { required: () => false },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id,
          email_verified: user.email_verified !== false,
          name: user.name,
          department: user.department,
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
const allowed = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function (value) {
  return (prefixes[this.clientId] || []).some((p) => value.startsWith(p)) || allowed.call(this, value);
};

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function page(res, uid, error = "", status = 200) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Test identity provider</h1>
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Email</label> <input id="login" name="login" type="email" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit" id="submit">Sign in</button>
</form></body></html>`);
}
async function body(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

const callback = provider.callback();
server.on("request", async (req, res) => {
  const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url || "");
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "POST" && match[2]) {
      const form = await body(req);
      const login = (form.get("login") || "").trim().toLowerCase();
      const user = users[login];
      if (!user || user.password !== form.get("password")) return page(res, details.uid, "Wrong email or password.", 401);
      return await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === "login") return page(res, details.uid);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(" "));
    if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (err) {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`interaction failed: ${err.message}`);
  }
});

process.stdout.write(JSON.stringify({ issuer }) + "\n");
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop); // the test process went away
process.stdin.resume();
