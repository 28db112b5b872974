import { bodyForm, type EmulatorRequest } from '../http/request';
import { html, redirect, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import { CONSENT_ADMIN_ROLES, type DirectoryUser } from '../tenants/directory-objects';
import { GRAPH_RESOURCE, type AppRegistration } from '../tenants/cloud';
import type { Tenant } from '../tenants/tenant';
import { tenantNotFound } from './login-errors';
import type { LoginContext } from './login-routes';

const MULTI_TENANT = new Set(['common', 'organizations']);
const SESSION_COOKIE = 'emulator_session';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}main{max-width:440px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}p,li{font-size:15px;line-height:1.4}input[type=email],input[type=text]{width:100%;box-sizing:border-box;font-size:15px;padding:6px 0;border:0;border-bottom:1px solid #666;margin:8px 0 16px}
.buttons{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}button{font-size:15px;padding:6px 20px;min-width:108px;border:1px solid #8a8a8a;background:#fff;cursor:pointer}button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
.error{color:#a80000}.brand{color:#737373;font-size:13px;margin-bottom:20px}ul{padding-left:20px}</style></head>
<body><main><div class="brand">Microsoft 365 emulator</div>${body}</main></body></html>`;
}

function hiddenFields(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
}

function withParams(url: string, params: Record<string, string | undefined>, mode: 'query' | 'fragment' = 'query'): string {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return mode === 'fragment' ? `${url}#${search}` : `${url}${url.includes('?') ? '&' : '?'}${search}`;
}

function cookie(request: EmulatorRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Finds who signs in: in the tenant of the path, or (common/organizations) in whichever tenant has that UPN. */
function findUser(context: LoginContext, pathTenant: Tenant | undefined, username: string): { tenant: Tenant; user: DirectoryUser } | undefined {
  const tenants = pathTenant ? [pathTenant] : context.cloud.tenants();
  for (const tenant of tenants) {
    const user = tenant.activeUser(username.trim());
    if (user) return { tenant, user };
  }
  return undefined;
}

/**
 * The interactive pages: `/{tenant}/oauth2/v2.0/authorize` (sign-in, code + PKCE, as MSAL
 * drives it), `/{tenant}/v2.0/adminconsent` (an admin accepts or cancels the app's
 * permissions) and `/{tenant}/oauth2/v2.0/logout`. There are no passwords: choosing a
 * seeded account is the sign-in.
 */
export function addSignInPages(router: Router, context: LoginContext): void {
  const { cloud } = context;

  const resolveTenant = (segment: string): Tenant | undefined | 'multi' => (MULTI_TENANT.has(segment.toLowerCase()) ? 'multi' : cloud.tenant(segment));

  const authorize = (request: EmulatorRequest): Reply => {
    const resolved = resolveTenant(request.params.tenant!);
    if (resolved === undefined) return tenantNotFound(request.params.tenant!);
    const pathTenant = resolved === 'multi' ? undefined : resolved;
    // A POST keeps the query's parameters (the form posts back to the same URL) and adds the form's.
    const params: Record<string, string> = { ...Object.fromEntries(request.url.searchParams), ...(request.method === 'POST' ? bodyForm(request) : {}) };
    const app = cloud.app(params.client_id ?? '');
    if (!app) return html(400, page('Sign in', `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error">AADSTS700016: Application with identifier '${escape(params.client_id ?? '')}' was not found in the directory.</p>`));
    const redirectUri = params.redirect_uri ?? '';
    if (!cloud.redirectAllowed(app, redirectUri))
      return html(400, page('Sign in', `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error">AADSTS50011: The redirect URI '${escape(redirectUri)}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.</p>`));
    const mode = (params.response_mode === 'fragment' ? 'fragment' : params.response_mode === 'form_post' ? 'form_post' : 'query') as 'query' | 'fragment' | 'form_post';
    const answer = (values: Record<string, string | undefined>, extraHeaders: Record<string, string> = {}): Reply => {
      if (mode === 'form_post') {
        const fields = hiddenFields(Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined)));
        return html(200, `<!doctype html><html><body onload="document.forms[0].submit()"><form method="POST" action="${escape(redirectUri)}">${fields}<noscript><button>Continue</button></noscript></form></body></html>`, extraHeaders);
      }
      const reply = redirect(withParams(redirectUri, values, mode));
      return { ...reply, headers: { ...reply.headers, ...extraHeaders } };
    };
    if (params.response_type !== 'code') return answer({ error: 'unsupported_response_type', error_description: 'AADSTS700054: response_type must be code.', state: params.state });

    const issueCode = (tenant: Tenant, user: DirectoryUser, extraHeaders: Record<string, string> = {}): Reply => {
      const code = context.signIn.issueCode({
        tenantId: tenant.id,
        userId: user.id,
        clientId: app.clientId,
        redirectUri,
        scope: params.scope ?? 'openid profile',
        codeChallenge: params.code_challenge,
        codeChallengeMethod: params.code_challenge_method,
        nonce: params.nonce,
      });
      return answer({ code, client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url'), state: params.state, session_state: user.id }, extraHeaders);
    };

    const session = context.signIn.session(cookie(request, SESSION_COOKIE));
    if (request.method === 'GET') {
      const sessionUser = session && cloud.tenant(session.tenantId)?.activeUser(session.userId);
      if (params.prompt === 'none') {
        if (!session || !sessionUser || (pathTenant && pathTenant.id !== session.tenantId))
          return answer({ error: 'login_required', error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.', state: params.state });
        return issueCode(cloud.tenant(session.tenantId)!, sessionUser);
      }
      if (sessionUser && params.prompt !== 'login' && params.prompt !== 'select_account' && (!params.login_hint || params.login_hint.toLowerCase() === sessionUser.userPrincipalName.toLowerCase()))
        return issueCode(cloud.tenant(session!.tenantId)!, sessionUser);
      return html(200, signInForm(app, params, ''));
    }
    const username = params.username ?? '';
    const found = findUser(context, pathTenant, username);
    if (!found) return html(200, signInForm(app, params, `AADSTS50034: The user account ${username} does not exist in the ${pathTenant?.defaultDomain ?? 'directory'} directory. To sign into this application, the account must be added to the directory.`));
    if (!found.user.accountEnabled) return html(200, signInForm(app, params, 'AADSTS50057: The user account is disabled. The account has been disabled by an administrator.'));
    const sessionId = context.signIn.startSession({ tenantId: found.tenant.id, userId: found.user.id });
    return issueCode(found.tenant, found.user, { 'set-cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; Secure; SameSite=None` });
  };
  router.get('/{tenant}/oauth2/v2.0/authorize', authorize);
  router.post('/{tenant}/oauth2/v2.0/authorize', authorize);

  router.get('/{tenant}/oauth2/v2.0/logout', (request) => {
    context.signIn.endSession(cookie(request, SESSION_COOKIE));
    const back = request.url.searchParams.get('post_logout_redirect_uri');
    const reply = back ? redirect(back) : html(200, page('Signed out', '<h1>You signed out of your account</h1><p>It\'s a good idea to close all browser windows.</p>'));
    return { ...reply, headers: { ...reply.headers, 'set-cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=None` } };
  });

  const adminConsent = (request: EmulatorRequest): Reply => {
    const resolved = resolveTenant(request.params.tenant!);
    if (resolved === undefined) return tenantNotFound(request.params.tenant!);
    const pathTenant = resolved === 'multi' ? undefined : resolved;
    // A POST keeps the query's parameters (the form posts back to the same URL) and adds the form's.
    const params: Record<string, string> = { ...Object.fromEntries(request.url.searchParams), ...(request.method === 'POST' ? bodyForm(request) : {}) };
    const app = cloud.app(params.client_id ?? '');
    if (!app) return html(400, page('Admin consent', `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error">AADSTS700016: Application with identifier '${escape(params.client_id ?? '')}' was not found in the directory.</p>`));
    const redirectUri = params.redirect_uri ?? '';
    if (!cloud.redirectAllowed(app, redirectUri))
      return html(400, page('Admin consent', `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error">AADSTS50011: The redirect URI '${escape(redirectUri)}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.</p>`));
    const permissions = consentedPermissions(app, params.scope ?? `${GRAPH_RESOURCE}/.default`);
    if (request.method === 'GET') return html(200, consentForm(app, permissions, params, ''));

    if (params.action === 'cancel')
      return redirect(withParams(redirectUri, { error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', admin_consent: 'True', state: params.state }));
    const found = findUser(context, pathTenant, params.username ?? '');
    if (!found) return html(200, consentForm(app, permissions, params, `AADSTS50034: The user account ${params.username ?? ''} does not exist in the ${pathTenant?.defaultDomain ?? 'directory'} directory.`));
    if (!found.user.accountEnabled) return html(200, consentForm(app, permissions, params, 'AADSTS50057: The user account is disabled.'));
    if (!found.user.roles.some((r) => (CONSENT_ADMIN_ROLES as readonly string[]).includes(r))) {
      const back = withParams(redirectUri, {
        error: 'access_denied',
        error_description: `AADSTS90094: Admin consent is required. ${found.user.userPrincipalName} is not an administrator who can grant permissions on behalf of the organization (Global Administrator, Privileged Role Administrator or Cloud Application Administrator).`,
        state: params.state,
      });
      return html(
        403,
        page('Need admin approval', `<h1>Need admin approval</h1><p class="error">${escape(app.displayName)} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p><p>Signed in as ${escape(found.user.userPrincipalName)}.</p><p><a id="back" href="${escape(back)}">Return to the application without granting consent</a></p>`),
      );
    }
    cloud.grantConsent(found.tenant.id, app.clientId, permissions, found.user.id);
    return redirect(withParams(redirectUri, { admin_consent: 'True', tenant: found.tenant.id, scope: permissions.map((p) => `${GRAPH_RESOURCE}/${p}`).join(' '), state: params.state }));
  };
  router.get('/{tenant}/v2.0/adminconsent', adminConsent);
  router.post('/{tenant}/v2.0/adminconsent', adminConsent);
  router.get('/{tenant}/adminconsent', adminConsent);
  router.post('/{tenant}/adminconsent', adminConsent);
}

/** `.default` means every application permission the registration asks for; otherwise the Graph permissions named. */
function consentedPermissions(app: AppRegistration, scope: string): string[] {
  const names = scope.split(/\s+/).filter(Boolean).map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, ''));
  return names.includes('.default') || names.length === 0 ? app.requiredPermissions : names;
}

function signInForm(app: AppRegistration, params: Record<string, string>, error: string): string {
  const { username: _u, ...carry } = params;
  return page(
    'Sign in to your account',
    `<h1>Sign in</h1><p>to continue to <b>${escape(app.displayName)}</b></p>
<form method="POST">${hiddenFields(carry)}
<label for="username">Email, phone, or Skype</label><input id="username" name="username" type="email" autocomplete="username" required value="${escape(params.login_hint ?? params.username ?? '')}">
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<p>Any seeded account signs in: the emulator has no passwords.</p>
<div class="buttons"><button class="primary" type="submit" id="idSIButton9">Sign in</button></div></form>`,
  );
}

function consentForm(app: AppRegistration, permissions: string[], params: Record<string, string>, error: string): string {
  const { username: _u, action: _a, ...carry } = params;
  const descriptions: Record<string, string> = {
    'User.Read.All': "Read all users' full profiles",
    'Group.Read.All': 'Read all groups',
    'GroupMember.Read.All': 'Read all group memberships',
    'Directory.Read.All': 'Read directory data',
    'User.Read': 'Sign in and read user profile',
  };
  return page(
    'Permissions requested',
    `<h1>Permissions requested</h1><p><b id="app-name">${escape(app.displayName)}</b><br><span>App id ${escape(app.clientId)}</span></p>
<p>This app would like to:</p><ul id="permissions">${permissions.map((p) => `<li data-permission="${escape(p)}">${escape(descriptions[p] ?? p)} <small>(${escape(p)})</small></li>`).join('')}</ul>
<p>If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review these permissions.</p>
<form method="POST">${hiddenFields(carry)}
<label for="username">Signed in as (an administrator of the organization)</label><input id="username" name="username" type="email" required value="${escape(params.login_hint ?? params.username ?? '')}">
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<div class="buttons"><button type="submit" name="action" value="cancel" formnovalidate id="cancel">Cancel</button><button class="primary" type="submit" name="action" value="accept" id="accept">Accept</button></div></form>`,
  );
}
