// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (an
// OpenID-certified implementation) on 127.0.0.1, on a port the system picks.
//
//   node provider.mjs CONFIG_JSON
//
// CONFIG_JSON: {"clients": [{client_id, client_secret, redirect_uris}], "accounts": {id: claims}}.
// Prints "listening http://127.0.0.1:PORT" once it serves. The person at the provider is
// chosen by the test (POST /test/sign-in-as with the account id, standing for someone already
// signed in there): the provider's own interaction then completes the login and the consent,
// so everything between the desk and the provider is the real protocol.
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
let signedIn = null;

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      ...c,
    })),
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
    },
    // Claims in the ID token itself, as Entra ID and Google put them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: ["palier-test-only"] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const claims = config.accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  provider.proxy = false;
  const handle = provider.callback();

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      if (!signedIn) {
        res.writeHead(403).end("nobody is signed in at the provider");
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: signedIn } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session.accountId,
      clientId: details.params.client_id,
    });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
  }

  server.on("request", (req, res) => {
    if (req.method === "POST" && req.url === "/test/sign-in-as") {
      let body = "";
      req.on("data", (chunk) => { body += chunk; });
      req.on("end", () => { signedIn = body || null; res.writeHead(204).end(); });
      return;
    }
    if (req.url.startsWith("/interaction/")) {
      interaction(req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
      return;
    }
    handle(req, res);
  });
  console.log(`listening ${issuer}`);
});
