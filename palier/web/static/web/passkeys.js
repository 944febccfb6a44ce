// Passkeys and security keys: the browser's WebAuthn ceremony between two JSON calls to the
// desk (django-otp-webauthn's views). A button carries everything it needs:
//   data-passkey="register" | "verify", data-begin-url, data-complete-url,
//   data-status (id of the element that reads out progress) and the sentences it shows
//   (data-msg-working, data-msg-failed, data-msg-unsupported): no words live in this file.
(function () {
  "use strict";

  function toBuffer(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  }

  function toBase64url(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach((byte) => { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || String(response.status));
    return data;
  }

  function creationOptions(options) {
    const publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      user: Object.assign({}, options.user, { id: toBuffer(options.user.id) }),
      excludeCredentials: (options.excludeCredentials || []).map((c) =>
        Object.assign({}, c, { id: toBuffer(c.id) })),
    });
    return { publicKey: publicKey };
  }

  function requestOptions(options) {
    const publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      allowCredentials: (options.allowCredentials || []).map((c) =>
        Object.assign({}, c, { id: toBuffer(c.id) })),
    });
    return { publicKey: publicKey };
  }

  function credentialJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  async function ceremony(button) {
    const status = document.getElementById(button.dataset.status);
    const say = (text) => { if (status) status.textContent = text || ""; };
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(button.dataset.msgUnsupported);
      return;
    }
    button.disabled = true;
    say(button.dataset.msgWorking);
    try {
      const options = await post(button.dataset.beginUrl);
      const registering = button.dataset.passkey === "register";
      const credential = registering
        ? await navigator.credentials.create(creationOptions(options))
        : await navigator.credentials.get(requestOptions(options));
      let completeUrl = button.dataset.completeUrl;
      const trust = document.getElementById("id_trust_browser");
      if (trust && trust.checked) completeUrl += (completeUrl.includes("?") ? "&" : "?") + "trust=1";
      const result = await post(completeUrl, credentialJSON(credential));
      window.location.assign(result.redirect_url || button.dataset.doneUrl || window.location.href);
    } catch (error) {
      say(button.dataset.msgFailed);
      button.disabled = false;
    }
  }

  document.querySelectorAll("[data-passkey]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => ceremony(button));
  });
})();
