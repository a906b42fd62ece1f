// A real OpenID Connect provider for proCure's tests: panva's oidc-provider
// (OpenID Certified), with its development login page, on loopback.
//
//   node server.mjs <port> '<clients JSON>'
//
// Any login is accepted at its login page, and the login is the person's
// address: "jane@acme.io" signs in as jane@acme.io, with email_verified
// true, unless the address starts with "unverified". Consent is implied.
// Prints "ready <issuer>" once it listens.
import Provider from "oidc-provider";

const port = Number(process.argv[2] || 9300);
const clients = JSON.parse(process.argv[3] || "[]");
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "email", "profile"],
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["procure-tests-only-not-secret"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id,
          email_verified: !id.startsWith("unverified"),
          name: id.split("@")[0],
        };
      },
    };
  },
  // The test accounts consent to what proCure asks: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
