import { html } from './html';
import { wordsFor } from './i18n';

/**
 * The page the OIDC callback answers with (docs/architecture.md#console): it sends the browser on by
 * `<meta http-equiv="refresh">`, a navigation the console's own page starts. A redirect would carry on
 * the identity provider's cross-site navigation, on which the browser withholds the SameSite=Strict
 * session and language cookies, so the person would land signed out. The callback never knows the
 * person's language (its cookie is Strict too), so the page says both.
 */
export function continuePage(to: '/' | '/sign-in'): string {
  const zh = wordsFor('zh-CN');
  const en = wordsFor('en');
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=${to}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${zh.signingIn} · ${zh.title}</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<main id="main">
<p><a href="${to}">${zh.continueOn}</a> · <a href="${to}" lang="en">${en.continueOn}</a></p>
</main>
</body>
</html>
`.text;
}
